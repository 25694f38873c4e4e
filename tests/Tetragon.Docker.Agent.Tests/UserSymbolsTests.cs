using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>userStackTrace naming, against this test process's own maps and its real libc.</summary>
public sealed class UserSymbolsTests
{
    private static byte[] Frames(params ulong[] addresses)
    {
        var bytes = new byte[(addresses.Length + 1) * 8]; // a zero address ends the trace
        for (var i = 0; i < addresses.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), addresses[i]);
        }

        return bytes;
    }

    [Fact]
    public void ALibcAddressIsNamedWithItsModuleAndFileOffset()
    {
        var getpid = (ulong)NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "getpid");
        var trace = new List<StackTraceEntry>();

        new UserSymbols().Resolve((uint)Environment.ProcessId, Frames(getpid + 1, 0x10), trace);

        var frame = Assert.Single(trace, t => t.Address == getpid + 1);
        Assert.EndsWith("libc.so.6", frame.Module, StringComparison.Ordinal);
        Assert.Contains("getpid", frame.Symbol, StringComparison.Ordinal);
        Assert.InRange(frame.Offset, 1UL, (ulong)new FileInfo(frame.Module).Length);

        var unmapped = Assert.Single(trace, t => t.Address == 0x10);
        Assert.Equal("", unmapped.Module);
        Assert.Equal("", unmapped.Symbol);
    }

    [Fact]
    public void AProcessAlreadyGoneKeepsBareAddresses()
    {
        var trace = new List<StackTraceEntry>();
        new UserSymbols().Resolve(int.MaxValue - 7, Frames(0x7f0000001000, 0x7f0000002000), trace);
        Assert.Equal(new ulong[] { 0x7f0000001000, 0x7f0000002000 }, trace.Select(t => t.Address));
        Assert.All(trace, t => Assert.Equal("", t.Symbol));
    }

    [Fact]
    public void MapsLinesAreParsedWithAndWithoutAPath()
    {
        var file = UserSymbols.Mapping.Parse("7f1c2a428000-7f1c2a5bd000 r-xp 00028000 fe:01 1311234                    /usr/lib/x86_64-linux-gnu/libc.so.6");
        Assert.Equal(new UserSymbols.Mapping(0x7f1c2a428000, 0x7f1c2a5bd000, 0x28000, "fe:01", 1311234, "/usr/lib/x86_64-linux-gnu/libc.so.6"), file);
        Assert.Null(UserSymbols.Mapping.Parse("7ffd1b7e8000-7ffd1b809000 rw-p 00000000 00:00 0 ")!.Path);
        Assert.Equal("[vdso]", UserSymbols.Mapping.Parse("7ffd1b9f4000-7ffd1b9f6000 r-xp 00000000 00:00 0                          [vdso]")!.Path);
        Assert.Null(UserSymbols.Mapping.Parse("garbage"));
    }

    [Fact]
    public void AFileThatIsNoElfHasNoFunctions()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "#!/bin/sh\necho not an elf\n");
            Assert.Null(ElfFunctions.Read(path));
            Assert.Null(ElfFunctions.Read(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TruncatedElfTablesReadAsNoFunctions()
    {
        var libc = File.ReadAllBytes(LibcPath());
        using var truncated = new MemoryStream(libc.AsSpan(0, 4096).ToArray());
        var functions = ElfFunctions.Read(truncated);
        Assert.NotNull(functions);
        Assert.Equal(0, functions.Count);
        Assert.Null(functions.NameAt(0x1000));
    }

    private static string LibcPath() => File.ReadLines("/proc/self/maps").Select(UserSymbols.Mapping.Parse)
        .First(m => m?.Path?.EndsWith("libc.so.6", StringComparison.Ordinal) == true)!.Path!;
}
