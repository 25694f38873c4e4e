namespace Tetragon.Docker.Events.Tests;

public sealed class ExecIdTests
{
    [Fact]
    public void Create_IsBase64OfNodeKtimePid()
    {
        // base64("node1:1234567:42")
        Assert.Equal("bm9kZTE6MTIzNDU2Nzo0Mg==", ExecId.Create("node1", 1234567, 42));
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
