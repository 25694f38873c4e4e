using System.Buffers.Binary;
using System.Text;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Events;
using Tetragon.Docker.Policy;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>
/// A hook event is exported from its ring sample when the JSON export is alone on the bus, and
/// from a message otherwise (a gRPC stream is open). Both lines must be the same bytes.
/// </summary>
public sealed class HookSampleExportTests
{
    private const string Policy = """
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "sample-path"
        spec:
          kprobes:
          - call: "sys_openat"
            syscall: true
            return: true
            message: "open \"watched\""
            tags: ["files", "bench"]
            args:
            - index: 0
              type: "int"
              label: "dirfd"
            - index: 1
              type: "string"
              label: "path"
            - index: 2
              type: "uint64"
            - index: 3
              type: "int64"
              label: "mode"
            returnArg:
              index: 0
              type: "int"
              label: "fd"
          - call: "sys_write"
            syscall: true
            args:
            - index: 0
              type: "fd"
            - index: 1
              type: "char_buf"
              sizeArgIndex: 3
          - call: "sys_connect"
            syscall: true
            args:
            - index: 0
              type: "int"
            - index: 1
              type: "sockaddr"
              label: "address"
          uprobes:
          - path: "/bin/true"
            symbols: ["main"]
            args:
            - index: 0
              type: "uint32"
            - index: 1
              type: "string"
        """;

    private readonly List<ActiveHook> hooks = [];
    private readonly BootClock clock = new(); // one for both pipelines: each reads the wall clock's offset

    public HookSampleExportTests()
    {
        var plan = TracingPolicyLoader.Load(Policy, "t").EnsureSuccess();
        for (var i = 0; i < plan.Hooks.Count; i++)
        {
            var op = plan.Hooks[i].Target is Tetragon.Docker.Policy.Plan.UprobeTarget ? MsgOp.GenericUprobe : MsgOp.GenericKprobe;
            var problems = new List<string>();
            var encoded = GenericHookEncoder.Encode(plan.Hooks[i], (uint)(i + 1), op, null, problems);
            Assert.Empty(problems);
            hooks.Add(new ActiveHook((uint)(i + 1), "sample-path", plan.Hooks[i], encoded!, op == MsgOp.GenericUprobe ? new UprobeSite("main", 0) : null));
        }
    }

    public static TheoryData<string, bool> Kprobes => new()
    {
        { "/etc/passwd", true },
        { "", true },
        { "/tmp/a \"quoted\" name", false }, // needs escaping: left to the message path
        { "/tmp/caf\u00e9", false }, // not ASCII
        { "/tmp/<html>&", false }, // JsonFormatter escapes these too
    };

    [Theory]
    [MemberData(nameof(Kprobes))]
    public void AKprobeLineIsTheSameFromTheSampleAsFromTheMessage(string path, bool fromSample)
    {
        var sample = Generic(MsgOp.GenericKprobe, hookId: 1, action: L.ActionPost, ret: 7, hasRet: true,
            Number(-100), Encoding.UTF8.GetBytes(path), Number(long.MaxValue), Number(-5));
        AssertSameLine(sample, expectSamplePath: fromSample);
    }

    [Fact]
    public void AnFdArgumentIsWrittenFromTheSampleAndACharBufferIsNot()
    {
        var withBuffer = Generic(MsgOp.GenericKprobe, hookId: 2, action: L.ActionSigkill, ret: 0, hasRet: false, "/dev/null"u8.ToArray(), [1, 2, 3]);
        AssertSameLine(withBuffer, expectSamplePath: false);
    }

    public static TheoryData<byte[]> Sockaddrs => new()
    {
        Sockaddr(L.AfInet, 8080, [127, 0, 0, 1]),
        Sockaddr(L.AfInet6, 443, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        Sockaddr(1, 0, []), // AF_UNIX: the family alone
        Array.Empty<byte>(), // the kernel could not read it
    };

    [Theory]
    [MemberData(nameof(Sockaddrs))]
    public void ASockaddrLineIsTheSameFromTheSampleAsFromTheMessage(byte[] sockaddr)
    {
        var sample = Generic(MsgOp.GenericKprobe, hookId: 3, action: L.ActionPost, ret: 0, hasRet: false, Number(5), sockaddr);
        var line = AssertSameLine(sample, expectSamplePath: true);
        Assert.Contains("{ \"label\": \"address\", \"sockaddr_arg\": ", line);
    }

    private static byte[] Sockaddr(ushort family, ushort port, byte[] address)
    {
        var bytes = new byte[L.SockaddrSize];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, family);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), port);
        address.CopyTo(bytes, 4);
        return bytes;
    }

    [Fact]
    public void AUprobeLineIsTheSameFromTheSampleAsFromTheMessage()
    {
        var sample = Generic(MsgOp.GenericUprobe, hookId: 4, action: L.ActionPost, ret: 0, hasRet: false, Number(uint.MaxValue), "hello"u8.ToArray());
        AssertSameLine(sample, expectSamplePath: true);
    }

    [Fact]
    public void AnActionNotSeenBeforeGetsItsOwnText()
    {
        var post = Generic(MsgOp.GenericKprobe, hookId: 1, action: L.ActionPost, ret: 3, hasRet: true, Number(1), "/a"u8.ToArray(), Number(2), Number(3));
        var kill = Generic(MsgOp.GenericKprobe, hookId: 1, action: L.ActionSigkill, ret: 3, hasRet: true, Number(1), "/a"u8.ToArray(), Number(2), Number(3));
        AssertSameLine(post, expectSamplePath: true);
        var line = AssertSameLine(kill, expectSamplePath: true);
        Assert.Contains("\"action\": \"KPROBE_ACTION_SIGKILL\"", line);
    }

    [Fact]
    public void WithAStreamOpenEveryEventIsAMessage()
    {
        var (decoder, bus, export, counters) = Pipeline();
        using var stream = bus.Subscribe("grpc", 16, EventFilter.AllowAll, "drops");
        decoder.OnSample(Generic(MsgOp.GenericKprobe, hookId: 1, action: L.ActionPost, ret: 0, hasRet: false, Number(1), "/a"u8.ToArray(), Number(2), Number(3)));
        bus.EndBatch();
        var messages = new List<Api.GetEventsResponse>();
        Assert.True(stream.TryTake(messages));
        Assert.Equal("/a", Assert.Single(messages).ProcessKprobe.Args[1].StringArg);
        Assert.Single(Lines(export));
        Assert.Equal(1, counters.Get(AgentCounters.EventsTotal));
    }

    /// <summary>Decodes the sample on a bus with the export alone, then on one with a stream too; returns the line.</summary>
    private string AssertSameLine(byte[] sample, bool expectSamplePath)
    {
        var (alone, aloneBus, aloneExport, aloneCounters) = Pipeline();
        alone.OnSample(sample);
        aloneBus.EndBatch();

        var (shared, sharedBus, sharedExport, _) = Pipeline();
        using var stream = sharedBus.Subscribe("grpc", 16, EventFilter.AllowAll, "drops");
        shared.OnSample(sample);
        sharedBus.EndBatch();

        var fromSample = Lines(aloneExport);
        var fromMessage = Lines(sharedExport);
        Assert.Single(fromMessage);
        Assert.Equal(fromMessage, fromSample);
        Assert.Equal(1, aloneCounters.Get(AgentCounters.EventsTotal));
        Assert.Equal(expectSamplePath, aloneExport.HookLines == 1);
        return fromSample[0];
    }

    private (GenericEventDecoder Decoder, EventBus Bus, JsonExportQueue Export, AgentCounters Counters) Pipeline()
    {
        var counters = new AgentCounters();
        var bus = new EventBus(counters);
        var export = bus.Attach(new JsonExportQueue(1000));
        var cache = new ProcessCache();
        var factory = new ProcessFactory("node-a", clock, new HostNamespaces([0, 0, 4026531832]), includeCredentials: false, includeNamespaces: false);
        var handler = new ProcessEventHandler(cache, factory, new ProcFsScanner("/nonexistent-proc", new CgroupFs(null)), new NoContainers(), counters, bus.Publish, TimeProvider.System);
        handler.AddProcFs(new ProcessSnapshot { Pid = 1, Ppid = 0, KtimeNs = 1000, Binary = "/sbin/init", Argv = ["init"], Cwd = "/", Uid = 0 });
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["cat", "/etc/passwd"], "/root", "/usr/bin/cat"));
        var registry = new GenericHookRegistry();
        foreach (var hook in hooks)
        {
            registry.Add(hook);
        }

        handler.Generic = new GenericEventDecoder(registry, cache, factory, counters, handler, bus);
        bus.EndBatch();
        Lines(export); // the exec
        counters.Add(AgentCounters.EventsTotal, -counters.Get(AgentCounters.EventsTotal));
        return (handler.Generic, bus, export, counters);
    }

    private static List<string> Lines(JsonExportQueue export)
    {
        var lines = new List<string>();
        export.Complete();
        while (export.Take() is { } chunk)
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                lines.Add(Encoding.UTF8.GetString(chunk.Line(i)));
            }

            export.Return(chunk);
        }

        return lines;
    }

    private static byte[] Number(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>A msg_generic as bpf/generic/generic.h writes it, for pid 100.</summary>
    private static byte[] Generic(byte op, uint hookId, byte action, long ret, bool hasRet, params byte[][] args)
    {
        var sample = new byte[L.MsgSize + args.Sum(a => a.Length)];
        sample[0] = op;
        BinaryPrimitives.WriteUInt64LittleEndian(sample.AsSpan(8), 5_000_123_456);
        BinaryPrimitives.WriteUInt32LittleEndian(sample.AsSpan(16), 100);
        BinaryPrimitives.WriteUInt32LittleEndian(sample.AsSpan(24), hookId);
        BinaryPrimitives.WriteUInt32LittleEndian(sample.AsSpan(28), action);
        BinaryPrimitives.WriteInt64LittleEndian(sample.AsSpan(40), ret);
        sample[57] = hasRet ? (byte)1 : (byte)0;
        sample[58] = (byte)args.Length;
        var offset = L.MsgSize;
        for (var i = 0; i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sample.AsSpan(60 + (2 * i)), (ushort)args[i].Length);
            args[i].CopyTo(sample, offset);
            offset += args[i].Length;
        }

        return sample;
    }

    private sealed class NoContainers : IContainerResolver
    {
        public ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null) => ContainerResolution.Host;
    }
}
