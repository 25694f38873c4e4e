using System.CommandLine;
using Tetragon.Docker.Events;

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

    /// <summary>tetra's --timeout: how long one call to the agent may take (a Go duration, as Tetragon's tetra takes it).</summary>
    public Option<TimeSpan> TimeoutOption { get; } = new("--timeout")
    {
        Description = "how long a call to the agent may take, e.g. 10s, 1m30s, 500ms (default 10s)",
        Recursive = true,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero)
            {
                return value;
            }

            result.AddError($"--timeout: \"{text}\" is not a positive duration (e.g. 10s, 1m30s, 500ms)");
            return default;
        },
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
