using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Sensors;

/// <summary>
/// Tetragon's base sensor: exec, exit and clone on the sched_process_* BTF tracepoints.
/// One object per hook, all writing to one shared ring buffer.
/// </summary>
internal sealed class ProcessSensor : IDisposable, ICgroupRateMaps
{
    public const string Name = "__base__";
    public const string Backend = "tp_btf";

    private static readonly string[] ObjectFiles = ["bpf_execve.o", "bpf_exit.o", "bpf_fork.o"];

    private readonly List<BpfObject> objects = [];

    private ProcessSensor()
    {
    }

    public IReadOnlyList<BpfObject> Objects => objects;

    public int AttachedLinks => objects.Sum(o => o.Links.Count);

    /// <summary>Maps every object of every sensor shares: the first object to load one creates it.</summary>
    private static readonly string[] SharedMaps =
    [
        "events", "lost_events", "ringbuf_config", "ringbuf_pace", "exec_binary_map", "binary_tracking", "exec_baseline_map", "follow_binaries",
        "cgroup_rate_config", "cgroup_rate_map", "cgroup_throttled", "cgroup_rate_dropped",
    ];

    private readonly Dictionary<string, int> sharedFds = [];

    public static ProcessSensor Load(string bpfDirectory, uint ringBufferBytes, ulong wakeupBytes)
    {
        var sensor = new ProcessSensor();
        try
        {
            foreach (var file in ObjectFiles)
            {
                var obj = BpfObject.Open(Path.Combine(bpfDirectory, file));
                sensor.objects.Add(obj);
                if (sensor.objects.Count == 1)
                {
                    obj.SetMaxEntries("events", ringBufferBytes);
                }

                foreach (var name in SharedMaps.Where(obj.HasMap))
                {
                    if (sensor.sharedFds.TryGetValue(name, out var fd))
                    {
                        obj.ReuseMap(name, fd);
                    }
                }

                obj.Load();
                foreach (var name in SharedMaps.Where(n => obj.HasMap(n) && !sensor.sharedFds.ContainsKey(n)))
                {
                    sensor.sharedFds[name] = obj.Map(name).Fd;
                }
            }

            sensor.Map("ringbuf_config").Update(0u, wakeupBytes);

            // Attach only once all loaded: a failure leaves nothing half attached.
            foreach (var obj in sensor.objects)
            {
                obj.AttachAll();
            }

            return sensor;
        }
        catch
        {
            sensor.Dispose();
            throw;
        }
    }

    /// <summary>The ring buffer every sensor writes to.</summary>
    public int RingBufferFd => sharedFds["events"];

    /// <summary>Reservation failures counted in the kernel: the lost-events figure.</summary>
    public int LostEventsFd => sharedFds["lost_events"];

    /// <summary>The ring buffer's wakeup configuration, shared by every sensor.</summary>
    public int ConfigFd => sharedFds["ringbuf_config"];

    /// <summary>Per CPU: when a producer last looked at the ring's fill level, and whether it woke the reader then.</summary>
    public int RingPaceFd => sharedFds["ringbuf_pace"];

    /// <summary>The binary of each thread group (exec_binary_map), read by the generic sensors' matchBinaries.</summary>
    public int ExecBinaryFd => sharedFds["exec_binary_map"];

    /// <summary>Whether exec, fork and exit keep exec_binary_map (only while a policy uses matchBinaries).</summary>
    public int BinaryTrackingFd => sharedFds["binary_tracking"];

    public BpfMap ExecBinaries => Map("exec_binary_map");

    /// <summary>Bytes waiting in the ring before a producer wakes the reader (1: the first record after it drained).</summary>
    public void SetWakeupBytes(ulong bytes) => Map("ringbuf_config").Update(0u, bytes);

    /// <summary>Bytes of the environment each exec event carries (0: none; at most 4095, the kernel's buffer).</summary>
    public void SetEnvironmentBytes(ulong bytes) => Map("ringbuf_config").Update(1u, Math.Min(bytes, MaxEnvironmentBytes));

    public const ulong MaxEnvironmentBytes = 4095;

    public void SetBinaryTracking(bool on) => Map("binary_tracking").Update(0u, on ? 1u : 0u);

    /// <summary>Whether exec, fork and exit keep exec_baseline_map (only while a policy uses matchCapabilityChanges or matchNamespaceChanges).</summary>
    public void SetBaselineTracking(bool on) => Map("binary_tracking").Update(1u, on ? 1u : 0u);

    /// <summary>Whether exec looks its binary up in follow_binaries (only while a matchBinaries filter has followChildren).</summary>
    public void SetFollowTracking(bool on) => Map("binary_tracking").Update(2u, on ? 1u : 0u);

    /// <summary>followChildren: binary path (NUL padded) → bits of the filters naming it.</summary>
    public BpfMap FollowBinaries => Map("follow_binaries");

    public int FollowBinariesFd => sharedFds["follow_binaries"];

    /// <summary>Each thread group's capabilities at exec and namespaces at fork, for the *Changes selectors.</summary>
    public BpfMap ExecBaselines => Map("exec_baseline_map");

    public int ExecBaselineFd => sharedFds["exec_baseline_map"];

    public IReadOnlyList<(ulong CgroupId, string Name, ulong StartNs)> Throttled()
    {
        var map = Map("cgroup_throttled");
        var result = new List<(ulong, string, ulong)>();
        foreach (var id in map.Keys<ulong>(limit: 1024))
        {
            if (map.TryLookup(id, out CgroupThrottle t))
            {
                result.Add((id, KernelString.Decode(t.Name), t.StartNs));
            }
        }

        return result;
    }

    public ulong? LastOverNs(ulong cgroupId) =>
        Map("cgroup_rate_map").TryLookup(cgroupId, out CgroupRateState state) ? state.LastOver : null;

    public void EndThrottle(ulong cgroupId)
    {
        // The record goes first: a cgroup the kernel throttles again meanwhile writes a new one.
        Map("cgroup_throttled").Delete(cgroupId);
        var rates = Map("cgroup_rate_map");
        if (rates.TryLookup(cgroupId, out CgroupRateState state))
        {
            // A fresh window: the events of the storm must not throttle its first exec after the stop.
            state.Throttled = 0;
            state.Count = 0;
            state.WindowStart = BootClock.NowBootNs();
            rates.Update(cgroupId, state);
        }
    }

    /// <summary>Turns --cgroup-rate on: more than <paramref name="events"/> execs and exits of a cgroup per interval throttle it.</summary>
    public void SetCgroupRate(ulong events, ulong intervalNs) => Map("cgroup_rate_config").Update(0u, new CgroupRateConfig(events, intervalNs));

    /// <summary>Exec and exit events the kernel dropped while their cgroup was throttled.</summary>
    public ulong ReadThrottleDropped() => BpfMap.SumPerCpu(sharedFds["cgroup_rate_dropped"], 0);

    /// <summary>A shared map, from the object that created it.</summary>
    private BpfMap Map(string name) => objects.First(o => o.HasMap(name)).Map(name);

    /// <summary>Stops the kernel side producing; maps stay readable until Dispose.</summary>
    public void Detach()
    {
        foreach (var obj in objects)
        {
            obj.Detach();
        }
    }

    /// <summary>lost_events' slots: one per opcode (LOST_OPS_MASK + 1 in bpf/lib/common.h).</summary>
    public const int LostEventSlots = 32;

    public ulong ReadLostEvents()
    {
        ulong total = 0;
        foreach (var (_, count) in ReadLostEventsByOp())
        {
            total += count;
        }

        return total;
    }

    /// <summary>Events the ring had no room for, by opcode (Tetragon's msg_op: 5 exec, 7 exit, 23 clone, 13-16 the hooks); only non-zero ones.</summary>
    public List<(int Op, ulong Count)> ReadLostEventsByOp()
    {
        var result = new List<(int, ulong)>();
        for (uint op = 0; op < LostEventSlots; op++)
        {
            if (BpfMap.SumPerCpu(LostEventsFd, op) is > 0 and var count)
            {
                result.Add(((int)op, count));
            }
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var obj in objects)
        {
            obj.Dispose();
        }

        objects.Clear();
    }
}
