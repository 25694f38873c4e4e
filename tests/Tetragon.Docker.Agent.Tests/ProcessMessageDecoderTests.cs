using System.Runtime.InteropServices;
using Tetragon.Docker.Agent.Observer;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ProcessMessageDecoderTests
{
    [Fact]
    public void LayoutsMatchTheBpfStructs()
    {
        // sizeof() of bpf/lib/process.h's structs.
        Assert.Equal(16, Marshal.SizeOf<MsgCommon>());
        Assert.Equal(376, Marshal.SizeOf<MsgExec>());
        Assert.Equal(40, Marshal.SizeOf<MsgExit>());
        Assert.Equal(40, Marshal.SizeOf<MsgClone>());
        Assert.Equal(40, Marshal.OffsetOf<MsgExec>(nameof(MsgExec.CgroupId)).ToInt32());
        Assert.Equal(120, Marshal.OffsetOf<MsgExec>(nameof(MsgExec.Ns)).ToInt32());
    }

    [Fact]
    public void DecodesAnExecWithArgumentsCwdAndBinary()
    {
        var sample = MessageBuilder.Exec(42, 7, 123456789, ["sh", "-c", "exit 3"], "/tmp/a dir", "/usr/bin/dash", cgroupId: 99);

        var exec = ProcessMessageDecoder.DecodeExec(sample);

        Assert.Equal(42u, exec.Header.Pid);
        Assert.Equal(7u, exec.Header.Ppid);
        Assert.Equal(123456789ul, exec.Header.Common.Ktime);
        Assert.Equal(99ul, exec.Header.CgroupId);
        Assert.Equal(["sh", "-c", "exit 3"], exec.Argv);
        Assert.Equal("/tmp/a dir", exec.Cwd);
        Assert.Equal("/usr/bin/dash", exec.Binary);
        Assert.Equal("/docker/abc", exec.CgroupPath);
    }

    [Fact]
    public void DecodesTheEnvironmentBlockAfterTheBinary()
    {
        var sample = MessageBuilder.Exec(42, 7, 1, ["env"], "/", "/usr/bin/env", env: ["HOME=/root", "A=b=c", "EMPTY="]);

        var exec = ProcessMessageDecoder.DecodeExec(sample);

        Assert.Equal("/usr/bin/env", exec.Binary);
        Assert.Equal(["HOME=/root", "A=b=c", "EMPTY="], exec.Environment);
        Assert.Empty(ProcessMessageDecoder.DecodeExec(MessageBuilder.Exec(42, 7, 1, ["env"], "/", "/usr/bin/env")).Environment);
    }

    [Fact]
    public void EmptyComponentListIsTheRoot()
    {
        Assert.Equal("/", ProcessMessageDecoder.JoinComponents([]));
        Assert.Equal("/etc", ProcessMessageDecoder.JoinComponents("etc\0"u8));
    }

    [Fact]
    public void ComponentsJoinLeafLastWhateverTheirLength()
    {
        Assert.Equal("/usr/bin/dash", ProcessMessageDecoder.JoinComponents("dash\0bin\0usr\0"u8));
        Assert.Equal("/a b/é", ProcessMessageDecoder.JoinComponents("é\0a b\0"u8.ToArray()));
        var deep = Enumerable.Range(0, 300).Select(i => $"dir{i:D3}").ToList(); // 2,100 bytes: past the stack buffer
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Reverse(deep).Select(d => d + "\0")));
        Assert.Equal("/" + string.Join('/', deep), ProcessMessageDecoder.JoinComponents(bytes));
    }

    [Fact]
    public void TruncatedSampleIsRejectedNotMisread()
    {
        var sample = MessageBuilder.Exec(42, 7, 1, ["true"], "/", "/bin/true");
        Assert.Throws<InvalidDataException>(() => ProcessMessageDecoder.DecodeExec(sample.AsSpan(0, sample.Length - 3)));
        Assert.Throws<InvalidDataException>(() => ProcessMessageDecoder.DecodeExec(sample.AsSpan(0, 20)));
        Assert.Throws<InvalidDataException>(() => ProcessMessageDecoder.DecodeExit(new byte[10]));
    }

    [Fact]
    public void InvalidUtf8InArgumentsBecomesReplacementCharacters()
    {
        var sample = MessageBuilder.Exec(1, 0, 1, ["x"], "/", "/bin/x");
        var argsAt = Marshal.SizeOf<MsgExec>();
        sample[argsAt] = 0xff;
        var exec = ProcessMessageDecoder.DecodeExec(sample);
        Assert.Equal("\uFFFD", exec.Argv[0]);
    }
}
