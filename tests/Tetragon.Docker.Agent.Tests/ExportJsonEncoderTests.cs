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
        new GetEventsResponse { ProcessExec = new ProcessExec { Process = P(4, "/bin/sh"), Parent = P(3, "/bin/bash"), Ancestors = { P(2, "/usr/sbin/sshd"), P(1, "/init") } }, NodeName = "n", Time = Time },
        new GetEventsResponse { ProcessExec = new ProcessExec { Ancestors = { P(1, "/init") } } },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(3, "/bin/sh"), Parent = P(2, "/bin/bash"), Status = 1, Time = Time, Ancestors = { P(1, "/init") } }, Time = Time },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh"), Parent = P(1, "/init"), Signal = "SIGKILL", Time = Time }, NodeName = "n", Time = Time },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh"), Status = 3 }, NodeName = "n" },
        new GetEventsResponse { ProcessExit = new ProcessExit { Process = P(2, "/bin/sh") } },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = P(2, "/bin/sh"), FunctionName = "x" }, NodeName = "n", Time = Time },
        new GetEventsResponse { ProcessKprobe = Kprobe(), NodeName = "n", Time = Time },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe(), Time = new Timestamp { Seconds = 1, Nanos = 1000 } },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Action = (KprobeAction)99, ReturnAction = KprobeAction.Sigkill, Return = new KprobeArgument() } },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = P(2, "/bin/sh"), Ancestors = { P(1, "/init") } } },
        new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = P(2, "/bin/sh"), KernelStackTrace = { new StackTraceEntry { Symbol = "s" } } } },
        new GetEventsResponse
        {
            ProcessTracepoint = new ProcessTracepoint
            {
                Process = P(2, "/bin/sh"), Parent = P(1, "/init"), Subsys = "syscalls", Event = "sys_enter_openat", Args = { Arguments() },
                PolicyName = "p", Action = KprobeAction.Post, Message = "m", Tags = { "a" },
            },
            NodeName = "n",
            Time = new Timestamp { Seconds = 1_700_000_000, Nanos = 5_000_000 },
        },
        new GetEventsResponse { ProcessTracepoint = new ProcessTracepoint() },
        new GetEventsResponse
        {
            ProcessUprobe = new ProcessUprobe
            {
                Process = P(2, "/bin/sh"), Path = "/bin/bash", Symbol = "readline", PolicyName = "p", Message = "m", Args = { Arguments() },
                Tags = { "x\"y", "z" }, Offset = 12, RefCtrOffset = ulong.MaxValue, Action = KprobeAction.Signal,
            },
            Time = new Timestamp { Seconds = -62135596800, Nanos = 999_999_999 },
        },
        new GetEventsResponse { ProcessUprobe = new ProcessUprobe { Data = { new KprobeArgument { IntArg = 1 } } } },
        new GetEventsResponse { ProcessExit = new ProcessExit(), Time = new Timestamp { Seconds = 253402300799 } },
    ];

    private static KprobeArgument[] Arguments() =>
    [
        new() { StringArg = "/etc/\"shadow\"\n\u2028", Label = "path" },
        new() { StringArg = "" },
        new() { IntArg = -100, Label = "dirfd" },
        new() { IntArg = 0 },
        new() { UintArg = uint.MaxValue, Label = "u" },
        new() { SizeArg = ulong.MaxValue },
        new() { LongArg = long.MinValue, Label = "l" },
        new() { BytesArg = Google.Protobuf.ByteString.CopyFrom(0, 1, 2, 255) },
        new() { BytesArg = Google.Protobuf.ByteString.Empty, Label = "b" },
        new() { FileArg = new KprobeFile { Path = "/etc/passwd" }, Label = "f" },
        new() { FileArg = new KprobeFile() },
        new() { FileArg = new KprobeFile { Mount = "m", Path = "p", Flags = "f", Permission = "r" } },
        new() { Label = "only" },
        new(),
        new() { SockArg = new KprobeSock { Family = "AF_INET" }, Label = "s" },
        new() { KernelCapTArg = "0x1", Label = "cap" },
    ];

    private static ProcessKprobe Kprobe() => new()
    {
        Process = P(2, "/bin/sh"),
        Parent = P(1, "/init"),
        FunctionName = "__x64_sys_openat",
        Args = { Arguments() },
        Return = new KprobeArgument { IntArg = -2 },
        Action = KprobeAction.Post,
        PolicyName = "openat",
        ReturnAction = KprobeAction.Post,
        Message = "openat \"x\"",
        Tags = { "a", "b" },
    };

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(0L, 1)]
    [InlineData(1_790_000_000L, 1_000_000)]
    [InlineData(1_790_000_000L, 123_000)]
    [InlineData(1_790_000_000L, 123_456_789)]
    [InlineData(-1L, 999_999_999)]
    [InlineData(253402300799L, 10)]
    public void TimestampsMatchJsonFormatter(long seconds, int nanos)
    {
        var formatter = new Google.Protobuf.JsonFormatter(Google.Protobuf.JsonFormatter.Settings.Default);
        var writer = new TimestampJsonWriter(formatter);
        var t = new Timestamp { Seconds = seconds, Nanos = nanos };
        var line = new Utf8LineWriter();
        for (var i = 0; i < 2; i++) // the second time from the kept second
        {
            var actual = new StringWriter();
            writer.Write(actual, t);
            Assert.Equal(formatter.Format(t), actual.ToString());
            line.Clear();
            writer.Write(line, t); // the export's writer takes bytes
            Assert.Equal(formatter.Format(t), System.Text.Encoding.UTF8.GetString(line.Written));
        }
    }

    [Fact]
    public void ArgumentKindsTheDecoderMakesAreWrittenByHand()
    {
        // A new oneof kind must be checked here: those below label (18) are written before it.
        Assert.Equal(18, KprobeArgument.Descriptor.FindFieldByName("label").FieldNumber);
        string[] known = ["process", "parent", "function_name", "args", "return", "action", "kernel_stack_trace", "policy_name",
            "return_action", "message", "tags", "user_stack_trace", "ancestors", "data"];
        Assert.Equal(known, ProcessKprobe.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        string[] tp = ["process", "parent", "subsys", "event", "args", "policy_name", "action", "message", "tags", "ancestors"];
        Assert.Equal(tp, ProcessTracepoint.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        string[] up = ["process", "parent", "path", "symbol", "policy_name", "message", "args", "tags", "ancestors", "offset",
            "ref_ctr_offset", "action", "data", "user_stack_trace"];
        Assert.Equal(up, ProcessUprobe.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        string[] file = ["mount", "path", "flags", "permission"];
        Assert.Equal(file, KprobeFile.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
    }

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

    [Theory]
    [MemberData(nameof(Events))]
    public void TheExportsUtf8LineIsTheSameTextAsUtf8(GetEventsResponse response)
    {
        var expected = new StringWriter();
        new JsonEventEncoder().Write(response, expected);
        var encoder = new ExportJsonEncoder();
        var line = new Utf8LineWriter();
        for (var i = 0; i < 2; i++) // the second time with the cached process bytes
        {
            line.Clear();
            encoder.Write(response, line);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected.ToString()), line.Written.ToArray());
        }
    }

    [Fact]
    public void AProcessKeepsItsTextAfterItsGenerationOfTheCacheIsDropped()
    {
        var encoder = new ExportJsonEncoder();
        var parent = P(1, "/bin/sh");
        string Line(Api.Process p)
        {
            var w = new StringWriter();
            encoder.Write(new GetEventsResponse { ProcessExec = new ProcessExec { Process = p, Parent = parent }, Time = Time }, w);
            return w.ToString();
        }

        // Enough processes to roll both generations over several times; the parent stays hot throughout.
        var processes = Enumerable.Range(2, (ExportJsonEncoder.ProcessTextGeneration * 5) + 3).Select(pid => P((uint)pid, $"/bin/p{pid}")).ToList();
        var first = processes.Select(Line).ToList();
        for (var i = 0; i < processes.Count; i += 97) // again, long after most left the cache
        {
            var expected = new StringWriter();
            new JsonEventEncoder().Write(new GetEventsResponse { ProcessExec = new ProcessExec { Process = processes[i], Parent = parent }, Time = Time }, expected);
            Assert.Equal(expected.ToString(), first[i]);
            Assert.Equal(expected.ToString(), Line(processes[i]));
        }
    }
}
