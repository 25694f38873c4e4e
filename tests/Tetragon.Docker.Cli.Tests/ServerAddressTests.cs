namespace Tetragon.Docker.Cli.Tests;

public sealed class ServerAddressTests
{
    [Theory]
    [InlineData("unix:///var/run/tetragon/tetragon.sock", "/var/run/tetragon/tetragon.sock")]
    [InlineData("unix:/tmp/t.sock", "/tmp/t.sock")]
    public void Unix(string text, string path)
    {
        var address = ServerAddress.Parse(text);
        Assert.Equal(path, address.UnixSocketPath);
        Assert.Equal("http://localhost/", address.HttpUri.ToString());
        Assert.Equal(text, address.Text);
    }

    [Theory]
    [InlineData("localhost:54321", "http://localhost:54321/")]
    [InlineData(":54321", "http://localhost:54321/")]
    [InlineData("10.0.0.5:1234", "http://10.0.0.5:1234/")]
    [InlineData("[::1]:54321", "http://[::1]:54321/")]
    [InlineData("http://agent:8080", "http://agent:8080/")]
    public void Tcp(string text, string uri)
    {
        var address = ServerAddress.Parse(text);
        Assert.Null(address.UnixSocketPath);
        Assert.Equal(uri, address.HttpUri.ToString());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:99999")]
    [InlineData("unix://")]
    public void Invalid(string text)
    {
        Assert.Throws<ArgumentException>(() => ServerAddress.Parse(text));
    }

    [Fact]
    public void Default_EnvironmentWins()
    {
        var address = ServerAddress.Default(name => name == "TETRAGON_SERVER_ADDRESS" ? "unix:///run/x.sock" : null, _ => true);
        Assert.Equal("unix:///run/x.sock", address);
    }

    [Fact]
    public void Default_SocketIfExistsElseTcp()
    {
        Assert.Equal("unix:///var/run/tetragon/tetragon.sock",
            ServerAddress.Default(_ => null, path => path == "/var/run/tetragon/tetragon.sock"));
        Assert.Equal("localhost:54321", ServerAddress.Default(_ => null, _ => false));
    }
}
