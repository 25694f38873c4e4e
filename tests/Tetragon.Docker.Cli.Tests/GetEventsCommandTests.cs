using Tetragon.Docker.Api;

namespace Tetragon.Docker.Cli.Tests;

public sealed class GetEventsCommandTests
{
    private static TetraCommand Cli(Dictionary<string, string>? env = null, bool socketExists = false) =>
        new(new CliContext(new StringWriter(), new StringWriter(), () => Stream.Null,
            name => env is not null && env.TryGetValue(name, out var v) ? v : null, _ => socketExists));

    [Fact]
    public void NoFlags_EmptyAllowList()
    {
        var cli = Cli();
        var request = cli.GetEvents.BuildRequest(cli.Root.Parse("getevents"));
        Assert.Empty(request.AllowList);
        Assert.Empty(request.DenyList);
    }

    [Fact]
    public void Flags_FormOneAndedFilter()
    {
        var cli = Cli();
        var parse = cli.Root.Parse(
            "getevents -o compact --process curl,wget --process bash --pid 42 --event-types PROCESS_EXEC,process_exit --container ^web$ --policy-names files --host");
        Assert.Empty(parse.Errors);
        var request = cli.GetEvents.BuildRequest(parse);

        var filter = Assert.Single(request.AllowList);
        Assert.Equal(["curl", "wget", "bash"], filter.BinaryRegex);
        Assert.Equal([42u], filter.Pid);
        Assert.Equal([EventType.ProcessExec, EventType.ProcessExit], filter.EventSet);
        Assert.Equal(["^web$"], filter.ContainerNameRegex);
        Assert.Equal(["files"], filter.PolicyNames);
        Assert.Equal([""], filter.Namespace);
    }

    [Fact]
    public void Namespace_IsTetragonsKubernetesNamespaceFilter()
    {
        var cli = Cli();
        var parse = cli.Root.Parse("getevents --namespace default,kube-system --namespace prod");
        Assert.Empty(parse.Errors);
        Assert.Equal(["default", "kube-system", "prod"], Assert.Single(cli.GetEvents.BuildRequest(parse).AllowList).Namespace);
    }

    [Fact]
    public void Pods_IsTetragonsNameForTheContainerFilter()
    {
        var cli = Cli();
        var parse = cli.Root.Parse("getevents -o compact --pods ^web$,db");
        Assert.Empty(parse.Errors);
        Assert.Equal(["^web$", "db"], Assert.Single(cli.GetEvents.BuildRequest(parse).AllowList).ContainerNameRegex);
    }

    [Fact]
    public void FieldFlags_BecomeTheRequestsFieldFilters()
    {
        var cli = Cli();
        var parse = cli.Root.Parse(["getevents", "--include-fields", "process.binary,process.pid", "--exclude-fields", "parent",
            "-F", "{\"fields\":\"process.exec_id\",\"event_set\":[\"PROCESS_KPROBE\"],\"action\":\"EXCLUDE\"}"]);
        Assert.Empty(parse.Errors);
        var filters = cli.GetEvents.BuildRequest(parse).FieldFilters;

        Assert.Equal(3, filters.Count);
        Assert.Equal(FieldFilterAction.Include, filters[0].Action);
        Assert.Equal(["process.binary", "process.pid"], filters[0].Fields.Paths);
        Assert.Equal(FieldFilterAction.Exclude, filters[1].Action);
        Assert.Equal(["parent"], filters[1].Fields.Paths);
        Assert.Equal(["process.exec_id"], filters[2].Fields.Paths);
        Assert.Equal([EventType.ProcessKprobe], filters[2].EventSet);
        Assert.Empty(cli.GetEvents.BuildRequest(cli.Root.Parse("getevents")).FieldFilters);
    }

    [Fact]
    public void UnknownEventType_IsAnError()
    {
        var cli = Cli();
        var ex = Assert.Throws<ArgumentException>(() => cli.GetEvents.BuildRequest(cli.Root.Parse("getevents --event-types PROCESS_NOPE")));
        Assert.Contains("unknown event type \"PROCESS_NOPE\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CelExpressions_AreSentWhole_AndAMistakeIsNamedBeforeConnecting()
    {
        var cli = Cli();
        // An expression holds commas and spaces: each flag is one expression, never split.
        string[] args = ["getevents", "--cel-expression", "process_exec.process.binary in ['/usr/bin/curl', '/usr/bin/wget']",
            "--cel-expression", "has(process_kprobe.args)"];
        var request = cli.GetEvents.BuildRequest(cli.Root.Parse(args));
        Assert.Equal(["process_exec.process.binary in ['/usr/bin/curl', '/usr/bin/wget']", "has(process_kprobe.args)"], request.AllowList.Single().CelExpression);

        var ex = Assert.Throws<ArgumentException>(() => cli.GetEvents.BuildRequest(cli.Root.Parse(["getevents", "--cel-expression", "process_exec.process.binnary == 'x'"])));
        Assert.StartsWith("--cel-expression: undefined field 'binnary' of tetragon.Process", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOutput_IsAParseError()
    {
        var cli = Cli();
        Assert.NotEmpty(cli.Root.Parse("getevents -o yaml").Errors);
    }

    [Fact]
    public void Color_AlwaysNeverAuto()
    {
        var cli = Cli();
        Assert.True(cli.GetEvents.UseColor(cli.Root.Parse("getevents --color always"), stdoutIsTerminal: false));
        Assert.False(cli.GetEvents.UseColor(cli.Root.Parse("getevents --color never"), stdoutIsTerminal: true));
        Assert.True(cli.GetEvents.UseColor(cli.Root.Parse("getevents"), stdoutIsTerminal: true));
        Assert.False(cli.GetEvents.UseColor(cli.Root.Parse("getevents"), stdoutIsTerminal: false));

        var noColor = Cli(new Dictionary<string, string> { ["NO_COLOR"] = "1" });
        Assert.False(noColor.GetEvents.UseColor(noColor.Root.Parse("getevents"), stdoutIsTerminal: true));
    }

    [Fact]
    public void ServerAddress_GlobalOptionAfterSubcommandAndDefaults()
    {
        var cli = Cli(socketExists: true);
        Assert.Equal("/tmp/a.sock", cli.Context.ResolveAddress(cli.Root.Parse("getevents --server-address unix:///tmp/a.sock")).UnixSocketPath);
        Assert.Equal("http://h:1/", cli.Context.ResolveAddress(cli.Root.Parse("--server-address h:1 status")).HttpUri.ToString());
        Assert.Equal("/var/run/tetragon/tetragon.sock", cli.Context.ResolveAddress(cli.Root.Parse("status")).UnixSocketPath);

        var env = Cli(new Dictionary<string, string> { ["TETRAGON_SERVER_ADDRESS"] = "agent:5555" }, socketExists: true);
        Assert.Equal("http://agent:5555/", env.Context.ResolveAddress(env.Root.Parse("version")).HttpUri.ToString());
    }

    [Fact]
    public void StatusHealthy_OnlyWhenAllRunning()
    {
        var ok = new GetHealthStatusResponse { HealthStatus = { new HealthStatus { Status = HealthStatusResult.HealthStatusRunning } } };
        var bad = new GetHealthStatusResponse { HealthStatus = { new HealthStatus { Status = HealthStatusResult.HealthStatusError } } };
        Assert.True(StatusCommand.IsHealthy(ok));
        Assert.False(StatusCommand.IsHealthy(bad));
        Assert.False(StatusCommand.IsHealthy(new GetHealthStatusResponse()));
    }

    [Fact]
    public void TracingPolicyTable()
    {
        var response = new ListTracingPoliciesResponse
        {
            Policies =
            {
                new TracingPolicyStatus { Id = 1, Name = "files\u001b", State = TracingPolicyState.TpStateEnabled, Sensors = { "generic_kprobe" }, Mode = TracingPolicyMode.TpModeMonitor },
                new TracingPolicyStatus { Id = 2, Name = "kill", State = TracingPolicyState.TpStateDisabled, Sensors = { "generic_lsm" }, Mode = TracingPolicyMode.TpModeEnforce },
            },
        };
        var output = new StringWriter();
        TracingPolicyCommand.WriteTable(response, output);
        Assert.Equal(
            "ID   NAME        STATE      SENSORS          KERNELMEMORY   MODE      ERROR\n" +
            "1    files\\x1b   enabled    generic_kprobe   -              monitor\n" +
            "2    kill        disabled   generic_lsm      -              enforce\n",
            output.ToString().ReplaceLineEndings("\n"));
    }
}
