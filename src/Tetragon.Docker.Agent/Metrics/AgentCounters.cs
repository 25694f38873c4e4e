using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Tetragon.Docker.Agent.Metrics;

/// <summary>
/// Every hop of the pipeline counts here: what it handled and what it dropped.
/// Names follow Tetragon's metrics where the concept is the same.
/// </summary>
public sealed class AgentCounters
{
    public const string EventsTotal = "tetragon_events_total";
    public const string BpfMissedEvents = "tetragon_bpf_missed_events_total";
    public const string RingBufferReceived = "tetragon_ringbuf_perf_event_received_total";
    public const string DecodeErrors = "tetragon_errors_total";
    public const string ProcessCacheMisses = "tetragon_process_cache_misses_total";
    public const string ProcessCachePruned = "tetragon_process_cache_pruned_total";
    public const string ProcessCacheEvicted = "tetragon_process_cache_evicted_total";
    public const string ExportDropped = "tetragon_export_dropped_total";
    public const string ExportWritten = "tetragon_export_events_total";
    public const string ExportErrors = "tetragon_export_errors_total";
    public const string ExportRateLimited = "tetragon_ratelimit_dropped_total";
    public const string GrpcDropped = "tetragon_grpc_dropped_total";
    public const string CgroupRateDropped = "tetragon_cgroup_rate_dropped_events_total";
    public const string ContainerPendingTimeouts = "tetragon_container_pending_timeouts_total";

    private readonly ConcurrentDictionary<string, StrongBox<long>> counters = new();

    /// <summary>Set by the sensor: reads the kernel's per-CPU reservation-failure counter.</summary>
    public Func<ulong>? KernelLostReader { get; set; }

    /// <summary>Set by the sensor: the same, by opcode (tetragon_missed_events_total{msg_op}).</summary>
    public Func<List<(int Op, ulong Count)>>? KernelLostByOpReader { get; set; }

    /// <summary>Set by the sensor: reads the kernel's count of events dropped from throttled cgroups (--cgroup-rate).</summary>
    public Func<ulong>? ThrottleDroppedReader { get; set; }

    /// <summary>Events the kernel never delivered: ring buffer full, or their cgroup throttled.</summary>
    public ulong KernelDropped() => (KernelLostReader?.Invoke() ?? 0) + (ThrottleDroppedReader?.Invoke() ?? 0);

    public void Add(string name, long delta = 1) => Interlocked.Add(ref Cell(name).Value, delta);

    /// <summary>
    /// The cell behind a counter, for hot paths to keep: <c>Interlocked.Increment(ref cell.Value)</c>
    /// costs no dictionary lookup per event.
    /// </summary>
    public StrongBox<long> Cell(string name) => counters.GetOrAdd(name, static _ => new StrongBox<long>());

    public long Get(string name) => counters.TryGetValue(name, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>A consistent-enough copy for status and metrics, including the kernel's lost count.</summary>
    public IReadOnlyDictionary<string, ulong> Snapshot()
    {
        var result = counters.ToDictionary(kv => kv.Key, kv => (ulong)Math.Max(0, Interlocked.Read(ref kv.Value.Value)));
        result[BpfMissedEvents] = KernelLostReader?.Invoke() ?? 0;
        result[CgroupRateDropped] = ThrottleDroppedReader?.Invoke() ?? 0;
        return result;
    }
}
