using System.CommandLine;

namespace Tetragon.Docker.Cli;

/// <summary>What every command shares: the global --server-address option and the output writers.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, Func<Stream> openStdout, Func<string, string?> getEnvironment, Func<string, bool> fileExists)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Opens the raw standard output (getevents writes through its own buffered UTF-8 writer).</summary>
    public Func<Stream> OpenStdout { get; } = openStdout;

    public Func<string, string?> GetEnvironment { get; } = getEnvironment;

    public Option<string> ServerAddressOption { get; } = new("--server-address")
    {
        Description = $"gRPC address of the agent (default: ${ServerAddress.EnvironmentVariable}, else {ServerAddress.DefaultUnixAddress} if it exists, else {ServerAddress.DefaultTcpAddress})",
        Recursive = true,
    };

    private readonly Func<string, bool> _fileExists = fileExists;

    public static CliContext FromConsole() => new(
        Console.Out,
        Console.Error,
        Console.OpenStandardOutput,
        Environment.GetEnvironmentVariable,
        File.Exists);

    /// <summary>The address to use: --server-address, else the default.</summary>
    public ServerAddress ResolveAddress(ParseResult parseResult)
    {
        var text = parseResult.GetValue(ServerAddressOption);
        return ServerAddress.Parse(string.IsNullOrWhiteSpace(text) ? ServerAddress.Default(GetEnvironment, _fileExists) : text);
    }
}
