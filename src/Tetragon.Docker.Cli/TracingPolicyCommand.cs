using System.CommandLine;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary><c>tetra tracingpolicy add [--mode M] FILE | delete NAME | list | enable NAME | disable NAME | set-mode NAME MODE</c>.</summary>
internal sealed class TracingPolicyCommand
{
    private readonly CliContext _context;

    public TracingPolicyCommand(CliContext context)
    {
        _context = context;
        Command = new Command("tracingpolicy", "Manage tracing policies");
        Command.Aliases.Add("tp");
        Command.Subcommands.Add(Add());
        Command.Subcommands.Add(Named("delete", "Delete a tracing policy", async (c, name, d, ct) =>
            await c.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = name }, deadline: d, cancellationToken: ct)));
        Command.Subcommands.Add(Named("enable", "Enable a tracing policy", async (c, name, d, ct) =>
            await c.EnableTracingPolicyAsync(new EnableTracingPolicyRequest { Name = name }, deadline: d, cancellationToken: ct)));
        Command.Subcommands.Add(Named("disable", "Disable a tracing policy", async (c, name, d, ct) =>
            await c.DisableTracingPolicyAsync(new DisableTracingPolicyRequest { Name = name }, deadline: d, cancellationToken: ct)));
        Command.Subcommands.Add(SetMode());
        Command.Subcommands.Add(List());
    }

    /// <summary>Tetragon's --mode values: enforce or monitor.</summary>
    private static Option<string> ModeOption() => new Option<string>("--mode", "-m")
    {
        Description = "Policy mode: enforce (do Sigkill, Signal, Override) or monitor (only report them)",
    }.AcceptOnlyFromAmong("enforce", "monitor");

    private static TracingPolicyMode ModeOf(string mode) => mode == "monitor" ? TracingPolicyMode.TpModeMonitor : TracingPolicyMode.TpModeEnforce;

    private Command SetMode()
    {
        var name = new Argument<string>("NAME") { Description = "Tracing policy name" };
        var mode = new Argument<string>("MODE") { Description = "enforce or monitor" }.AcceptOnlyFromAmong("enforce", "monitor");
        var command = new Command("set-mode", "Set a tracing policy's mode: enforce or monitor");
        command.Arguments.Add(name);
        command.Arguments.Add(mode);
        command.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, async (c, d, token) =>
        {
            var policy = parseResult.GetRequiredValue(name);
            var value = parseResult.GetRequiredValue(mode);
            await c.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = policy, Mode = ModeOf(value) }, deadline: d, cancellationToken: token);
            _context.Output.WriteLine($"tracing policy {TerminalText.Sanitize(policy)} set to {value} mode");
            return 0;
        }, ct));
        return command;
    }

    public Command Command { get; }

    private Command Add()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "TracingPolicy YAML file" };
        var mode = ModeOption();
        var command = new Command("add", "Add a tracing policy from a YAML file");
        command.Arguments.Add(file);
        command.Options.Add(mode);
        command.SetAction((parseResult, ct) =>
        {
            var path = parseResult.GetRequiredValue(file);
            string yaml;
            try
            {
                yaml = File.ReadAllText(path.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _context.Error.WriteLine($"tetra: cannot read {path}: {ex.Message}");
                return Task.FromResult(1);
            }

            return AgentCall.RunAsync(_context, parseResult, async (c, d, token) =>
            {
                var request = new AddTracingPolicyRequest { Yaml = yaml };
                if (parseResult.GetValue(mode) is { } chosen)
                {
                    request.Mode = ModeOf(chosen);
                }

                await c.AddTracingPolicyAsync(request, deadline: d, cancellationToken: token);
                _context.Output.WriteLine($"tracing policy {path.Name} added");
                return 0;
            }, ct);
        });
        return command;
    }

    private Command Named(
        string verb,
        string description,
        Func<FineGuidanceSensors.FineGuidanceSensorsClient, string, DateTime, CancellationToken, Task> call)
    {
        var name = new Argument<string>("NAME") { Description = "Tracing policy name" };
        var command = new Command(verb, description);
        command.Arguments.Add(name);
        command.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, async (c, d, token) =>
        {
            var policy = parseResult.GetRequiredValue(name);
            await call(c, policy, d, token);
            _context.Output.WriteLine($"tracing policy {TerminalText.Sanitize(policy)} {verb}d");
            return 0;
        }, ct));
        return command;
    }

    private Command List()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output format: text or json",
            DefaultValueFactory = _ => "text",
        }.AcceptOnlyFromAmong("text", "json");
        var command = new Command("list", "List tracing policies");
        command.Options.Add(output);
        command.SetAction((parseResult, ct) => AgentCall.RunAsync(_context, parseResult, async (c, d, token) =>
        {
            var response = await c.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), deadline: d, cancellationToken: token);
            if (parseResult.GetValue(output) == "json")
            {
                new JsonEventEncoder().Write(response, _context.Output);
            }
            else
            {
                WriteTable(response, _context.Output);
            }

            return 0;
        }, ct));
        return command;
    }

    internal static void WriteTable(ListTracingPoliciesResponse response, TextWriter output)
    {
        var rows = new List<string[]> { new[] { "ID", "NAME", "STATE", "SENSORS", "KERNELMEMORY", "MODE", "ERROR" } };
        foreach (var p in response.Policies.OrderBy(p => p.Id))
        {
            rows.Add([
                p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TerminalText.Sanitize(p.Name),
                StateName(p.State),
                TerminalText.Sanitize(string.Join(",", p.Sensors)),
                FormatBytes(p.KernelMemoryBytes),
                p.Mode switch { TracingPolicyMode.TpModeEnforce => "enforce", TracingPolicyMode.TpModeMonitor => "monitor", _ => "unknown" },
                TerminalText.Sanitize(p.Error),
            ]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("   ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    internal static string StateName(TracingPolicyState state) => state switch
    {
        TracingPolicyState.TpStateEnabled => "enabled",
        TracingPolicyState.TpStateDisabled => "disabled",
        TracingPolicyState.TpStateLoadError => "load_error",
        TracingPolicyState.TpStateError => "error",
        TracingPolicyState.TpStateLoading => "loading",
        TracingPolicyState.TpStateUnloading => "unloading",
        _ => "unknown",
    };

    private static string FormatBytes(ulong bytes) => bytes switch
    {
        0 => "-",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.##} kB",
        _ => $"{bytes / (1024.0 * 1024.0):0.##} MB",
    };
}
