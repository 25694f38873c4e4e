using System.Text;

namespace Tetragon.Docker.Events.Tests;

public sealed class ProcessArgumentsTests
{
    [Fact]
    public void Format_SkipsArgv0AndQuotesArgumentsWithSpaces()
    {
        Assert.Equal("-c \"curl -I https://ebpf.io/\"", ProcessArguments.Format(["/usr/bin/bash", "-c", "curl -I https://ebpf.io/"]));
    }

    [Fact]
    public void Format_PlainArgumentsJoinedBySpaces()
    {
        Assert.Equal("-I https://ebpf.io/applications/#tetragon", ProcessArguments.Format(["curl", "-I", "https://ebpf.io/applications/#tetragon"]));
    }

    [Fact]
    public void Format_EscapesQuotesInsideQuotedArgument()
    {
        Assert.Equal("-c \"echo \\\"hi there\\\"\"", ProcessArguments.Format(["sh", "-c", "echo \"hi there\""]));
    }

    [Fact]
    public void Format_NoArgumentsIsEmpty()
    {
        Assert.Equal(string.Empty, ProcessArguments.Format(["/bin/true"]));
        Assert.Equal(string.Empty, ProcessArguments.Format([]));
    }

    [Fact]
    public void Split_NulSeparatedBufferWithTrailingNuls()
    {
        var args = ProcessArguments.Split("ls\0-la\0/tmp\0\0"u8);
        Assert.Equal(["ls", "-la", "/tmp"], args);
    }

    [Fact]
    public void Split_KeepsEmptyMiddleArgumentAndReplacesInvalidUtf8()
    {
        var args = ProcessArguments.Split([(byte)'a', 0, 0, (byte)'b', 0xff, 0]);
        Assert.Equal(["a", "", "b\uFFFD"], args);
    }

    [Fact]
    public void Split_EmptyBuffer()
    {
        Assert.Empty(ProcessArguments.Split(ReadOnlySpan<byte>.Empty));
        Assert.Empty(ProcessArguments.Split(Encoding.ASCII.GetBytes("\0\0")));
    }
}
