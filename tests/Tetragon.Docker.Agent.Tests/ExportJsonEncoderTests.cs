using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ExportJsonEncoderTests
{
    private static readonly Timestamp Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 15, 56, 2, TimeSpan.Zero).AddTicks(594839));

    private static Api.Process P(uint pid, string binary) => new()
    {
        ExecId = $"id-{pid}",
        Pid = pid,
        Uid = 0,
        Binary = binary,
        Arguments = "-c \"x \\\"y\\\"\" \u001b[31m\n",
        Flags = "execve",
        StartTime = Time,
        Cap = new Capabilities { Effective = { CapabilitiesType.CapSysAdmin } },
        Container = new Container { Name = "web", Labels = { ["a"] = "b" } },
        Ns = new Namespaces { Mnt = new Namespace { Inum = 4026531832, IsHost = true } },
        Tid = pid,
        Auid = uint.MaxValue,
        Docker = "0123",
        ParentExecId = "id-1",
        ProcessCredentials = new ProcessCredentials { Uid = 0, Euid = 1 },
        InInitTree = false,
        Refcnt = 2,
    };

    public static TheoryData<GetEventsResponse> Events() =>
    [
        new GetEventsResponse { ProcessExec = new ProcessExec { Process = P(2, "/bin/sh"), Parent = P(1, "/init") }, NodeName = "node\"1", Time = Time },
        new GetEventsResponse { ProcessExec = new ProcessExec { Process = P(2, "/bin/sh") }, Time = Time },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh"), Parent = P(1, "/init"), Signal = "SIGKILL", Time = Time }, NodeName = "n", Time = Time },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh"), Status = 3 }, NodeName = "n" },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh") } },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = P(2, "/bin/sh"), FunctionName = "x" }, NodeName = "n", Time = Time },
    ];

    [Fact]
    public void ProcessWriterMatchesJsonFormatterForEveryField()
    {
        var formatter = new Google.Protobuf.JsonFormatter(Google.Protobuf.JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
        var writer = new ProcessJsonWriter(formatter);
        Assert.Equal("{ }", writer.Format(new Api.Process()));
        var p = P(7, "/x\u2028<>");
        Assert.Equal(formatter.Format(p), writer.Format(p));

        // A field added to the proto must be handled (or fall back): this list is the one the writer knows.
        string[] known = ["exec_id", "pid", "uid", "cwd", "binary", "arguments", "flags", "start_time", "auid", "pod", "docker",
            "parent_exec_id", "refcnt", "cap", "ns", "tid", "process_credentials", "binary_properties", "user", "in_init_tree",
            "environment_variables", "container"];
        Assert.Equal(known, Api.Process.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void WritesExactlyWhatTheGenericEncoderWrites(GetEventsResponse response)
    {
        var expected = new StringWriter();
        new JsonEventEncoder().Write(response, expected);
        var encoder = new ExportJsonEncoder();
        for (var i = 0; i < 2; i++) // the second time from the cache
        {
            var actual = new StringWriter();
            encoder.Write(response, actual);
            Assert.Equal(expected.ToString(), actual.ToString());
        }
    }
}
