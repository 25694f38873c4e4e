using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Events.Tests;

public sealed class FieldFiltersTests
{
    private static GetEventsResponse Exec() => new()
    {
        ProcessExec = new ProcessExec
        {
            Process = new Api.Process { ExecId = "e1", Pid = 7, Binary = "/usr/bin/curl", Arguments = "-s x", ParentExecId = "e0", Container = new Container { Name = "web" } },
            Parent = new Api.Process { ExecId = "e0", Pid = 6, Binary = "/bin/sh" },
        },
        NodeName = "n",
        Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch),
    };

    private static GetEventsResponse Kprobe() => new()
    {
        ProcessKprobe = new ProcessKprobe
        {
            Process = new Api.Process { ExecId = "e1", Binary = "/usr/bin/curl" },
            FunctionName = "__x64_sys_connect",
            Args = { new KprobeArgument { IntArg = 3, Label = "fd" }, new KprobeArgument { StringArg = "x", Label = "path" } },
        },
    };

    private static FieldFilters Parse(string text) => FieldFilters.Parse(text, "--field-filters");

    [Fact]
    public void TetragonsExampleKeepsTheIdsOfEveryEventButExec()
    {
        var filters = Parse("""{"fields":"process.exec_id,process.parent_exec_id", "event_set": ["PROCESS_EXEC"], "invert_event_set": true, "action": "INCLUDE"}""");
        var exec = Exec();
        Assert.Same(exec, filters.Apply(exec)); // not in the (inverted) set: untouched

        var kprobe = Kprobe();
        var filtered = filters.Apply(kprobe);
        Assert.Equal(new ProcessKprobe { Process = new Api.Process { ExecId = "e1" } }, filtered.ProcessKprobe);
        Assert.Equal("__x64_sys_connect", kprobe.ProcessKprobe.FunctionName); // the shared event is not changed
    }

    [Fact]
    public void IncludeKeepsWholeFieldsAndNestedOnesAndExcludeRemovesThem()
    {
        var include = Parse("""{"fields":"parent,process.binary,process.container.name", "action": "INCLUDE"}""").Apply(Exec());
        Assert.Equal(new Api.Process { Binary = "/usr/bin/curl", Container = new Container { Name = "web" } }, include.ProcessExec.Process);
        Assert.Equal(Exec().ProcessExec.Parent, include.ProcessExec.Parent);
        Assert.Equal("n", include.NodeName);
        Assert.NotNull(include.Time);

        var exclude = Parse("""{"fields":"parent,process.arguments", "action": "EXCLUDE"}""").Apply(Exec());
        Assert.Null(exclude.ProcessExec.Parent);
        Assert.Equal("", exclude.ProcessExec.Process.Arguments);
        Assert.Equal("/usr/bin/curl", exclude.ProcessExec.Process.Binary);
    }

    [Fact]
    public void PathsReachIntoEveryElementOfARepeatedField()
    {
        var filtered = Parse("""{"fields":"args.label", "event_set": ["PROCESS_KPROBE"], "action": "EXCLUDE"}""").Apply(Kprobe());
        Assert.All(filtered.ProcessKprobe.Args, a => Assert.Equal("", a.Label));
        Assert.Equal(3, filtered.ProcessKprobe.Args[0].IntArg);
    }

    [Fact]
    public void FiltersApplyInOrder()
    {
        var filtered = Parse("""
            {"fields":"process", "action": "INCLUDE"}
            {"fields":"process.arguments", "action": "EXCLUDE"}
            """).Apply(Exec());
        Assert.Null(filtered.ProcessExec.Parent);
        Assert.Equal("", filtered.ProcessExec.Process.Arguments);
        Assert.Equal(7u, filtered.ProcessExec.Process.Pid);
    }

    [Theory]
    [InlineData("""{"fields":"process.binray", "action": "INCLUDE"}""", "--field-filters[0].fields: \"process.binray\" is not a field of process_exec")]
    [InlineData("""{"fields":"function_name", "event_set": ["PROCESS_EXEC"]}""", "--field-filters[0].fields: \"function_name\" is not a field of process_exec")]
    [InlineData("""{"event_set": ["PROCESS_EXEC"]}""", "--field-filters[0].fields: no field named")]
    public void ABadPathIsNamed(string text, string start)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse(text));
        Assert.StartsWith(start, e.Message, StringComparison.Ordinal);
    }
}
