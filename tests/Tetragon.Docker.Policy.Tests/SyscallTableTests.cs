using Tetragon.Docker.Policy.Linux;

namespace Tetragon.Docker.Policy.Tests;

public sealed class SyscallTableTests
{
    [Theory]
    [InlineData("read", 0)]
    [InlineData("open", 2)]
    [InlineData("sys_openat", 257)]
    [InlineData("__x64_sys_openat2", 437)]
    [InlineData("execve", 59)]
    [InlineData("execveat", 322)]
    [InlineData("connect", 42)]
    [InlineData("setuid", 105)]
    [InlineData("setns", 308)]
    [InlineData("unshare", 272)]
    [InlineData("mount", 165)]
    [InlineData("umount2", 166)]
    [InlineData("ptrace", 101)]
    [InlineData("init_module", 175)]
    [InlineData("finit_module", 313)]
    [InlineData("bpf", 321)]
    [InlineData("memfd_create", 319)]
    [InlineData("pivot_root", 155)]
    [InlineData("clock_settime", 227)]
    [InlineData("renameat2", 316)]
    [InlineData("dup3", 292)]
    public void Known_syscalls_have_x86_64_numbers(string name, int number)
    {
        Assert.True(SyscallTable.TryGetNumber(name, out var actual));
        Assert.Equal(number, actual);
        Assert.Equal(SyscallTable.Normalize(name), SyscallTable.NameOf(number));
    }

    [Theory]
    [InlineData("sys_execve", 11)]
    [InlineData("uname", 122)]
    [InlineData("socketcall", 102)]
    [InlineData("fchmodat2", 452)]
    [InlineData("mseal", 462)]
    public void Known_syscalls_have_i386_numbers(string name, int number)
    {
        Assert.True(SyscallTable.TryGetI386Number(name, out var actual));
        Assert.Equal(number, actual);
        Assert.Equal(SyscallTable.Normalize(name), SyscallTable.I386NameOf(number));
        Assert.False(SyscallTable.TryGetI386Number("map_shadow_stack", out _)); // x86_64 only
    }

    [Fact]
    public void Numbers_are_unique()
    {
        var numbers = SyscallTable.Names.Select(n => SyscallTable.TryGetNumber(n, out var x) ? x : -1).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Theory]
    [InlineData("SIGKILL", 9)]
    [InlineData("kill", 9)]
    [InlineData("9", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("SIGRTMIN+2", 36)]
    public void Signals_resolve(string text, int number)
    {
        Assert.True(SignalTable.TryParse(text, out var actual));
        Assert.Equal(number, actual);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("SIGFOO")]
    public void Bad_signals_are_rejected(string text) => Assert.False(SignalTable.TryParse(text, out _));
}
