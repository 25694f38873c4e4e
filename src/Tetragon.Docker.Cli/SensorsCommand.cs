using System.CommandLine;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary><c>tetra sensors list</c>: the agent's sensors (ListSensors), with the backend each runs on.</summary>
internal sealed class SensorsCommand
{
    private readonly CliContext _context;

    public SensorsCommand(CliContext context)
    {
        _context = context;
        var list = new Command("list", "List the loaded sensors: the process sensor and one per policy and hook kind");
        list.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, RunAsync, ct));
        Command = new Command("sensors", "Sensors") { list };
    }

    public Command Command { get; }

    private async Task<int> RunAsync(FineGuidanceSensors.FineGuidanceSensorsClient client, DateTime deadline, CancellationToken ct)
    {
        var response = await client.ListSensorsAsync(new ListSensorsRequest(), deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
        foreach (var sensor in response.Sensors)
        {
            var collection = sensor.Collection.Length > 0 ? $" ({TerminalText.Sanitize(sensor.Collection)})" : "";
            var error = sensor.Error.Length > 0 ? $" error: {TerminalText.Sanitize(sensor.Error)}" : "";
            _context.Output.WriteLine($"{TerminalText.Sanitize(sensor.Name)} {(sensor.Enabled ? "enabled" : "disabled")}{collection} [{TerminalText.Sanitize(sensor.Backend)}]{error}");
        }

        return 0;
    }
}
