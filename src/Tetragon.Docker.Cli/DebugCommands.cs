using System.CommandLine;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary>
/// Tetragon's debug verbs over GetDebug/SetDebug: <c>tetra loglevel get|set LEVEL</c> and
/// <c>tetra dump processcache</c> (one JSON ProcessInternal per line).
/// </summary>
internal sealed class DebugCommands
{
    /// <summary>The names `loglevel set` takes, as Tetragon's levels are named.</summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> Levels = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase)
    {
        ["panic"] = LogLevel.Panic,
        ["fatal"] = LogLevel.Fatal,
        ["error"] = LogLevel.Error,
        ["warn"] = LogLevel.Warn,
        ["warning"] = LogLevel.Warn,
        ["info"] = LogLevel.Info,
        ["debug"] = LogLevel.Debug,
        ["trace"] = LogLevel.Trace,
    };

    private readonly CliContext _context;
    private readonly Argument<string> _level = new("level") { Description = "panic, fatal, error, warn, info, debug or trace" };
    private readonly Option<bool> _skipZeroRefcnt = new("--skip-zero-refcnt") { Description = "Leave out entries nothing references" };
    private readonly Option<bool> _excludeExecveMap = new("--exclude-execve-map-processes") { Description = "Accepted for Tetragon's scripts; there is no execve map here" };

    public DebugCommands(CliContext context)
    {
        _context = context;
        var get = new Command("get", "Print the agent's log level");
        get.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, GetLevelAsync, ct));
        var set = new Command("set", "Change the agent's log level while it runs") { _level };
        set.SetAction((parseResult, ct) =>
        {
            var name = parseResult.GetValue(_level) ?? "";
            if (!Levels.TryGetValue(name, out var level))
            {
                _context.Error.WriteLine($"tetra: unknown log level \"{TerminalText.Sanitize(name)}\" (panic, fatal, error, warn, info, debug or trace)");
                return Task.FromResult(1);
            }

            return AgentCall.RunAsync(_context, parseResult, (client, deadline, token) => SetLevelAsync(client, level, deadline, token), ct);
        });
        LogLevelCommand = new Command("loglevel", "Get or set the agent's log level") { get, set };

        var processCache = new Command("processcache", "Print the agent's process cache, one JSON object per process") { _skipZeroRefcnt, _excludeExecveMap };
        processCache.Aliases.Add("processCache");
        processCache.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult,
            (client, deadline, token) => DumpAsync(client, parseResult.GetValue(_skipZeroRefcnt), parseResult.GetValue(_excludeExecveMap), deadline, token), ct));
        DumpCommand = new Command("dump", "Dump the agent's internal state") { processCache };
    }

    public Command LogLevelCommand { get; }

    public Command DumpCommand { get; }

    public static string NameOf(LogLevel level) => level.ToString().ToLowerInvariant();

    private async Task<int> GetLevelAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, DateTime deadline, CancellationToken ct)
    {
        var response = await client.GetDebugAsync(new GetDebugRequest { Flag = ConfigFlag.LogLevel }, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        _context.Output.WriteLine(NameOf(response.Level));
        return 0;
    }

    private async Task<int> SetLevelAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, LogLevel level, DateTime deadline, CancellationToken ct)
    {
        var response = await client.SetDebugAsync(new SetDebugRequest { Flag = ConfigFlag.LogLevel, Level = level }, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        _context.Output.WriteLine($"log level set to {NameOf(response.Level)}");
        return 0;
    }

    private async Task<int> DumpAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, bool skipZeroRefcnt, bool excludeExecveMap, DateTime deadline, CancellationToken ct)
    {
        var request = new GetDebugRequest
        {
            Flag = ConfigFlag.DumpProcessCache,
            Dump = new DumpProcessCacheReqArgs { SkipZeroRefcnt = skipZeroRefcnt, ExcludeExecveMapProcesses = excludeExecveMap },
        };
        var response = await client.GetDebugAsync(request, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        var json = new JsonEventEncoder();
        foreach (var process in response.Processes?.Processes ?? [])
        {
            json.Write(process, _context.Output);
        }

        return 0;
    }
}
