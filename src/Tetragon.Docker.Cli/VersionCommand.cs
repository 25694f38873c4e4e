using System.CommandLine;
using System.Reflection;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary><c>tetra version</c>: the CLI version and the agent's GetVersion.</summary>
internal sealed class VersionCommand
{
    private readonly CliContext _context;

    public VersionCommand(CliContext context)
    {
        _context = context;
        Command = new Command("version", "Print the CLI and agent versions");
        Command.SetAction((parseResult, ct) =>
        {
            _context.Output.WriteLine($"CLI version: {ClientVersion}");
            return AgentCall.RunAsync(_context, parseResult, RunAsync, ct);
        });
    }

    public Command Command { get; }

    public static string ClientVersion { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private async Task<int> RunAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, DateTime deadline, CancellationToken ct)
    {
        var version = await client.GetVersionAsync(new GetVersionRequest(), deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        _context.Output.WriteLine($"Server version: {TerminalText.Sanitize(version.Version)}");
        return 0;
    }
}
