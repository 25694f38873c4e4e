namespace Tetragon.Docker.Events.Tests;

public sealed class ExecIdTests
{
    [Fact]
    public void Create_IsBase64OfNodeKtimePid()
    {
        // base64("node1:1234567:42")
        Assert.Equal("bm9kZTE6MTIzNDU2Nzo0Mg==", ExecId.Create("node1", 1234567, 42));
    }

    [Theory]
    [InlineData("node1", 0UL, 0U)]
    [InlineData("nœud-ü", 18446744073709551615UL, 4294967295U)]
    [InlineData("a-node-name-long-enough-to-pass-the-stack-buffer-a-node-name-long-enough-to-pass-the-stack-buffer-a-node-name-long-enough-to-pass-the-stack-buffer-a-node-name-long-enough-to-pass-the-stack-buffer-a-node-name-long-enough-to-pass-the-stack-buffer", 1UL, 7U)]
    public void Create_FromNodePrefix_IsBase64OfTheUtf8Text(string node, ulong ktime, uint pid)
    {
        var expected = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{node}:{ktime}:{pid}"));
        Assert.Equal(expected, ExecId.Create(ExecId.NodePrefix(node), ktime, pid));
        Assert.Equal(expected, ExecId.Create(node, ktime, pid));
    }

    [Fact]
    public void TryParse_RoundTrips()
    {
        var id = ExecId.Create("my:host", 18446744073709551615, 4294967295);
        Assert.True(ExecId.TryParse(id, out var node, out var ktime, out var pid));
        Assert.Equal("my:host", node);
        Assert.Equal(18446744073709551615UL, ktime);
        Assert.Equal(4294967295U, pid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("bm9kZTE=")] // "node1"
    [InlineData("bm9kZTE6eDo0Mg==")] // "node1:x:42"
    public void TryParse_RejectsGarbage(string id)
    {
        Assert.False(ExecId.TryParse(id, out _, out _, out _));
    }
}
