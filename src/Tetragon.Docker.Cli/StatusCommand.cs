using System.CommandLine;
using Grpc.Core;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary><c>tetra status</c>: agent health and counters; exit code 0 only when healthy (Docker HEALTHCHECK).</summary>
internal sealed class StatusCommand
{
    private readonly CliContext _context;

    public StatusCommand(CliContext context)
    {
        _context = context;
        Command = new Command("status", "Print the health status and counters of the agent");
        Command.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, RunAsync, ct));
    }

    public Command Command { get; }

    /// <summary>True when the agent reported at least one status and all are RUNNING.</summary>
    public static bool IsHealthy(GetHealthStatusResponse response) =>
        response.HealthStatus.Count > 0 && response.HealthStatus.All(h => h.Status == HealthStatusResult.HealthStatusRunning);

    private async Task<int> RunAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, DateTime deadline, CancellationToken ct)
    {
        var request = new GetHealthStatusRequest();
        request.EventSet.Add(HealthStatusType.Status);
        var health = await client.GetHealthAsync(request, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        var output = _context.Output;
        if (health.HealthStatus.Count == 0)
        {
            output.WriteLine("Health Status: unknown");
        }

        foreach (var status in health.HealthStatus)
        {
            var state = status.Status switch
            {
                HealthStatusResult.HealthStatusRunning => "running",
                HealthStatusResult.HealthStatusStopped => "stopped",
                HealthStatusResult.HealthStatusError => "error",
                _ => "unknown",
            };
            output.WriteLine(string.IsNullOrEmpty(status.Details)
                ? $"Health Status: {state}"
                : $"Health Status: {state} ({TerminalText.Sanitize(status.Details)})");
        }

        try
        {
            var agent = await client.GetStatusAsync(new GetStatusRequest(), deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
            Print(agent, output);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            // A stock Tetragon agent has no GetStatus: health alone decides.
        }

        return IsHealthy(health) ? 0 : 1;
    }

    internal static void Print(GetStatusResponse status, TextWriter output)
    {
        if (!string.IsNullOrEmpty(status.Version))
        {
            output.WriteLine($"Version: {TerminalText.Sanitize(status.Version)}");
        }

        if (status.StartTime is not null)
        {
            output.WriteLine($"Started: {CompactEventEncoder.FormatTime(status.StartTime)}");
        }

        if (status.Sensors.Count > 0)
        {
            output.WriteLine("Sensors:");
            foreach (var sensor in status.Sensors.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var state = sensor.Loaded ? "loaded" : "not loaded";
                var backend = string.IsNullOrEmpty(sensor.Backend) ? string.Empty : $" [{TerminalText.Sanitize(sensor.Backend)}]";
                var error = string.IsNullOrEmpty(sensor.Error) ? string.Empty : $": {TerminalText.Sanitize(sensor.Error)}";
                var collection = string.IsNullOrEmpty(sensor.Collection) ? string.Empty : $" ({TerminalText.Sanitize(sensor.Collection)})";
                output.WriteLine($"  {TerminalText.Sanitize(sensor.Name)}{collection}{backend} {state}{error}");
            }
        }

        if (status.Counters.Count > 0)
        {
            output.WriteLine("Counters:");
            var width = status.Counters.Keys.Max(k => k.Length);
            foreach (var (name, value) in status.Counters.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"  {TerminalText.Sanitize(name).PadRight(width)}  {value}");
            }
        }
    }
}
