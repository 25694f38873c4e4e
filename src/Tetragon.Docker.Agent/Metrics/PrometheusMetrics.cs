using Prometheus;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Metrics;

/// <summary>
/// Publishes the agent's counters in Prometheus format (--metrics-server). Values are
/// copied from <see cref="AgentCounters"/> just before each scrape: one source of truth.
/// </summary>
internal sealed class PrometheusMetrics
{
    private readonly AgentCounters counters;
    private readonly ProcessCache cache;
    private readonly EventBus bus;
    private readonly Dictionary<string, Counter> published = [];
    private readonly Gauge processCacheSize;
    private readonly Gauge subscribers;
    private readonly Counter eventsByType;
    private readonly Counter policyEvents;
    private readonly Counter missedByOp;
    private readonly Counter ringLost;
    private readonly Counter notifyOverflowed;
    private readonly AgentRuntime runtime;
    private readonly MetricFactory factory;

    public PrometheusMetrics(AgentCounters counters, AgentRuntime runtime, EventBus bus)
    {
        this.counters = counters;
        this.bus = bus;
        this.runtime = runtime;
        cache = runtime.Cache;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        processCacheSize = factory.CreateGauge("tetragon_process_cache_size", "Processes in the process cache.");
        factory.CreateGauge("tetragon_process_cache_capacity", "Processes the cache holds before it evicts (--process-cache-size).").Set(cache.Capacity);
        subscribers = factory.CreateGauge("tetragon_event_subscribers", "Event bus subscribers (JSON export and gRPC streams).");
        // Tetragon's labels where Docker has the concept: the event type; the policy and its hook.
        eventsByType = factory.CreateCounter(AgentCounters.EventsTotal, "Events published, by type.", "type");
        policyEvents = factory.CreateCounter("tetragon_policy_events_total", "Events posted by each hook of each tracing policy.", "policy", "hook");
        // Tetragon's names for what the counters above also say, so its dashboards and alerts work.
        missedByOp = factory.CreateCounter("tetragon_missed_events_total", "Events the kernel could not send (the ring buffer was full), by Tetragon's msg_op.", "msg_op");
        ringLost = factory.CreateCounter("tetragon_ringbuf_perf_event_lost_total", "Events lost in the ring buffer (all opcodes).");
        notifyOverflowed = factory.CreateCounter("tetragon_notify_overflowed_events_total", "Events dropped because a gRPC listener's queue was full.");
        Registry.AddBeforeCollectCallback(Update);
    }

    public CollectorRegistry Registry { get; }

    private void Update()
    {
        var snapshot = counters.Snapshot();
        foreach (var (name, value) in snapshot)
        {
            if (name == AgentCounters.EventsTotal)
            {
                continue; // by type, below
            }

            if (!published.TryGetValue(name, out var counter))
            {
                counter = factory.CreateCounter(name, $"Tetragon.Docker counter {name}.");
                published[name] = counter;
            }

            counter.IncTo(value);
        }

        foreach (var (type, count) in bus.EventsByType())
        {
            eventsByType.WithLabels(type).IncTo(count);
        }

        foreach (var (policy, hook, events) in runtime.Policies?.PolicyEvents() ?? [])
        {
            policyEvents.WithLabels(policy, hook).IncTo(events);
        }

        foreach (var (op, count) in counters.KernelLostByOpReader?.Invoke() ?? [])
        {
            missedByOp.WithLabels(op.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(count);
        }

        ringLost.IncTo(snapshot[AgentCounters.BpfMissedEvents]); // the same count: the kernel's map is read once per scrape for it
        notifyOverflowed.IncTo(counters.Get(AgentCounters.GrpcDropped));
        processCacheSize.Set(cache.Size);
        subscribers.Set(bus.SubscriberCount);
    }
}
