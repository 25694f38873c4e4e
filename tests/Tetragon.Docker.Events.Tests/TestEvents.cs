using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Tests;

internal static class TestEvents
{
    public static Process Proc(string binary, string arguments = "", uint pid = 42, string? container = null) => new()
    {
        ExecId = ExecId.Create("node1", 1000, pid),
        Pid = pid,
        Uid = 0,
        Binary = binary,
        Arguments = arguments,
        Container = container is null ? null : new Container { Id = "0123456789abcdef0123456789abcdef", Name = container },
        Docker = container is null ? string.Empty : "0123456789abcdef0123456789abcde",
    };

    public static GetEventsResponse Exec(Process process, Process? parent = null) => new()
    {
        ProcessExec = new ProcessExec { Process = process, Parent = parent },
        NodeName = "node1",
        Time = new Timestamp { Seconds = 1714558272, Nanos = 123456789 },
    };

    public static GetEventsResponse Exit(Process process, string signal = "", uint status = 0) => new()
    {
        ProcessExit = new ProcessExit { Process = process, Signal = signal, Status = status },
        NodeName = "node1",
    };

    public static GetEventsResponse Kprobe(Process process, string function, string policy = "", params KprobeArgument[] args)
    {
        var kprobe = new ProcessKprobe { Process = process, FunctionName = function, PolicyName = policy };
        kprobe.Args.AddRange(args);
        return new GetEventsResponse { ProcessKprobe = kprobe, NodeName = "node1" };
    }
}
