using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>Accessors for the fields most event kinds share (process, parent, ancestors, policy).</summary>
public static class EventFields
{
    /// <summary>The process the event is about, or null (test, rate_limit_info, throttle).</summary>
    public static Process? ProcessOf(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => response.ProcessExec.Process,
        GetEventsResponse.EventOneofCase.ProcessExit => response.ProcessExit.Process,
        GetEventsResponse.EventOneofCase.ProcessKprobe => response.ProcessKprobe.Process,
        GetEventsResponse.EventOneofCase.ProcessTracepoint => response.ProcessTracepoint.Process,
        GetEventsResponse.EventOneofCase.ProcessUprobe => response.ProcessUprobe.Process,
        GetEventsResponse.EventOneofCase.ProcessLsm => response.ProcessLsm.Process,
        GetEventsResponse.EventOneofCase.ProcessUsdt => response.ProcessUsdt.Process,
        GetEventsResponse.EventOneofCase.ProcessLoader => response.ProcessLoader.Process,
        _ => null,
    };

    /// <summary>The immediate parent of the event's process, or null.</summary>
    public static Process? ParentOf(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => response.ProcessExec.Parent,
        GetEventsResponse.EventOneofCase.ProcessExit => response.ProcessExit.Parent,
        GetEventsResponse.EventOneofCase.ProcessKprobe => response.ProcessKprobe.Parent,
        GetEventsResponse.EventOneofCase.ProcessTracepoint => response.ProcessTracepoint.Parent,
        GetEventsResponse.EventOneofCase.ProcessUprobe => response.ProcessUprobe.Parent,
        GetEventsResponse.EventOneofCase.ProcessLsm => response.ProcessLsm.Parent,
        GetEventsResponse.EventOneofCase.ProcessUsdt => response.ProcessUsdt.Parent,
        GetEventsResponse.EventOneofCase.ProcessLoader => response.ProcessLoader.Parent,
        _ => null,
    };

    /// <summary>The ancestors beyond the immediate parent (empty unless --enable-ancestors).</summary>
    public static IReadOnlyList<Process> AncestorsOf(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => response.ProcessExec.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessExit => response.ProcessExit.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessKprobe => response.ProcessKprobe.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessTracepoint => response.ProcessTracepoint.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessUprobe => response.ProcessUprobe.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessLsm => response.ProcessLsm.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessUsdt => response.ProcessUsdt.Ancestors,
        GetEventsResponse.EventOneofCase.ProcessLoader => response.ProcessLoader.Ancestors,
        _ => [],
    };

    /// <summary>The tracing policy that produced the event, or the empty string.</summary>
    public static string PolicyNameOf(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessKprobe => response.ProcessKprobe.PolicyName,
        GetEventsResponse.EventOneofCase.ProcessTracepoint => response.ProcessTracepoint.PolicyName,
        GetEventsResponse.EventOneofCase.ProcessUprobe => response.ProcessUprobe.PolicyName,
        GetEventsResponse.EventOneofCase.ProcessLsm => response.ProcessLsm.PolicyName,
        GetEventsResponse.EventOneofCase.ProcessUsdt => response.ProcessUsdt.PolicyName,
        _ => string.Empty,
    };

    /// <summary>The container of a process: Tetragon.Docker's process.container, else Kubernetes' pod.container.</summary>
    public static Container? ContainerOf(Process? process) => process?.Container ?? process?.Pod?.Container;
}
