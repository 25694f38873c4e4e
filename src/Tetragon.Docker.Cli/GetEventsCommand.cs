using System.CommandLine;
using System.Text;
using Grpc.Core;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Cli;

/// <summary><c>tetra getevents</c>: stream events as JSON or compact lines, one per line, flushed per event.</summary>
internal sealed class GetEventsCommand
{
    private readonly CliContext _context;

    private readonly Option<string> _output = new Option<string>("--output", "-o")
    {
        Description = "Output format: json or compact",
        DefaultValueFactory = _ => "json",
    }.AcceptOnlyFromAmong("json", "compact");

    private readonly Option<string[]> _process = new("--process")
    {
        Description = "Binary regular expressions (comma-separated or repeated)",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<uint?> _pid = new("--pid") { Description = "Process PID" };

    private readonly Option<string[]> _eventTypes = new("--event-types")
    {
        Description = "Event types (e.g. PROCESS_EXEC,PROCESS_KPROBE)",
        AllowMultipleArgumentsPerToken = true,
    };

    // Tetragon's --pods, for the habit: on Docker the container is the unit a pod is on Kubernetes.
    private readonly Option<string[]> _container = new("--container", "--pods")
    {
        Description = "Container name regular expressions (--pods: the same, as Tetragon spells it)",
        AllowMultipleArgumentsPerToken = true,
    };

    // Kubernetes namespaces, for scripts that pass Tetragon's flag: a Docker container has none.
    private readonly Option<string[]> _namespace = new("--namespace")
    {
        Description = "Kubernetes namespaces (a Docker container is in none; --host selects host processes)",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _policyNames = new("--policy-names")
    {
        Description = "Tracing policy names",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _celExpression = new("--cel-expression")
    {
        Description = "CEL expressions over the event, e.g. \"process_exec.process.binary.endsWith('/curl')\" (repeated: any of them)",
    };

    private readonly Option<bool> _host = new("--host") { Description = "Only events of host processes (not in a container)" };

    private readonly Option<string> _color = new Option<string>("--color")
    {
        Description = "Colorize compact output: auto, always or never",
        DefaultValueFactory = _ => "auto",
    }.AcceptOnlyFromAmong("auto", "always", "never");

    private readonly Option<bool> _timestamps = new("--timestamps") { Description = "Prefix compact lines with the event time" };

    private readonly Option<string[]> _includeFields = new("--include-fields")
    {
        Description = "Only these fields of each event, e.g. process.binary,process.pid (comma-separated or repeated)",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> _excludeFields = new("--exclude-fields")
    {
        Description = "Leave out these fields of each event, e.g. parent,process.arguments",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string> _fieldFilters = new("--field-filters", "-F")
    {
        Description = "Field filters as the agent's --field-filters takes them: {\"fields\":\"process.binary\",\"action\":\"INCLUDE\"} objects",
    };

    public GetEventsCommand(CliContext context)
    {
        _context = context;
        Command = new Command("getevents", "Print events");
        foreach (var option in new Option[] { _output, _process, _pid, _eventTypes, _container, _namespace, _policyNames, _celExpression, _host, _color, _timestamps, _includeFields, _excludeFields, _fieldFilters })
        {
            Command.Options.Add(option);
        }

        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    /// <summary>Maps the command line to a request: all given flags form one allow-list filter (ANDed).</summary>
    /// <exception cref="ArgumentException">An unknown event type.</exception>
    public GetEventsRequest BuildRequest(ParseResult parseResult)
    {
        var filter = new Filter();
        filter.BinaryRegex.AddRange(SplitList(parseResult.GetValue(_process)));
        if (parseResult.GetValue(_pid) is { } pid)
        {
            filter.Pid.Add(pid);
        }

        foreach (var name in SplitList(parseResult.GetValue(_eventTypes)))
        {
            if (!EventTypes.TryParse(name, out var type))
            {
                throw new ArgumentException($"unknown event type \"{name}\" (known: {string.Join(", ", EventTypes.Names)})");
            }

            filter.EventSet.Add(type);
        }

        filter.ContainerNameRegex.AddRange(SplitList(parseResult.GetValue(_container)));
        filter.Namespace.AddRange(SplitList(parseResult.GetValue(_namespace)));
        filter.PolicyNames.AddRange(SplitList(parseResult.GetValue(_policyNames)));
        foreach (var expression in parseResult.GetValue(_celExpression) ?? [])
        {
            // Checked here too, so a mistake is named before any connection.
            try
            {
                Events.Cel.CelFilter.Compile(expression);
            }
            catch (Events.Cel.CelException e)
            {
                throw new ArgumentException($"--cel-expression: {e.Message}: {expression}", e);
            }

            filter.CelExpression.Add(expression);
        }

        if (parseResult.GetValue(_host))
        {
            filter.Namespace.Add(string.Empty);
        }

        var request = new GetEventsRequest();
        if (!filter.Equals(new Filter()))
        {
            request.AllowList.Add(filter);
        }

        // As Tetragon's tetra: field filters the agent applies before sending, for every event type.
        AddFieldFilter(request, SplitList(parseResult.GetValue(_includeFields)), FieldFilterAction.Include);
        AddFieldFilter(request, SplitList(parseResult.GetValue(_excludeFields)), FieldFilterAction.Exclude);
        request.FieldFilters.AddRange(FieldFilters.ParseList(parseResult.GetValue(_fieldFilters) ?? "", "--field-filters"));
        return request;
    }

    private static void AddFieldFilter(GetEventsRequest request, IEnumerable<string> paths, FieldFilterAction action)
    {
        var mask = new Google.Protobuf.WellKnownTypes.FieldMask();
        mask.Paths.AddRange(paths);
        if (mask.Paths.Count > 0)
        {
            request.FieldFilters.Add(new FieldFilter { Fields = mask, Action = action });
        }
    }

    /// <summary>Whether compact output is colored, given --color and whether stdout is a terminal.</summary>
    public bool UseColor(ParseResult parseResult, bool stdoutIsTerminal) => parseResult.GetValue(_color) switch
    {
        "always" => true,
        "never" => false,
        _ => stdoutIsTerminal && string.IsNullOrEmpty(_context.GetEnvironment("NO_COLOR")),
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        GetEventsRequest request;
        ServerAddress address;
        try
        {
            request = BuildRequest(parseResult);
            address = _context.ResolveAddress(parseResult);
        }
        catch (ArgumentException ex)
        {
            _context.Error.WriteLine($"tetra: {ex.Message}");
            return 1;
        }

        var compact = parseResult.GetValue(_output) == "compact";
        var json = new JsonEventEncoder();
        var compactEncoder = new CompactEventEncoder(new CompactEncoderOptions(
            UseColor(parseResult, !Console.IsOutputRedirected),
            parseResult.GetValue(_timestamps)));

        using var channel = AgentChannel.Create(address);
        var client = AgentChannel.Client(channel);
        try
        {
            await using var stdout = new StreamWriter(_context.OpenStdout(), new UTF8Encoding(false), 64 * 1024);
            using var call = client.GetEvents(request, cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var written = true;
                if (compact)
                {
                    written = compactEncoder.Write(response, stdout);
                }
                else
                {
                    json.Write(response, stdout);
                }

                if (written)
                {
                    await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (IOException)
        {
            // stdout closed (EPIPE: `tetra getevents | head`): end quietly.
            return 0;
        }
        catch (Exception ex) when (ex is RpcException or HttpRequestException)
        {
            return CliErrors.Report(ex, address, _context.Error);
        }
    }

    internal static IEnumerable<string> SplitList(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
