using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Fans each event out to every subscriber's bounded queue; a slow subscriber only loses its own events.
/// <see cref="Publish"/> and <see cref="EndBatch"/> are called by the event thread alone.
/// </summary>
public sealed class EventBus(AgentCounters counters)
{
    private readonly Lock gate = new();
    private readonly StrongBox<long> eventsTotal = counters.Cell(AgentCounters.EventsTotal);
    private readonly long[] byType = new long[Types.Length];
    private IEventSink[] subscribers = [];

    // Tetragon's EventType names, for tetragon_events_total{type}, in TypeIndex's order.
    private static readonly string[] Types =
        ["PROCESS_EXEC", "PROCESS_EXIT", "PROCESS_KPROBE", "PROCESS_TRACEPOINT", "PROCESS_UPROBE", "PROCESS_LSM", "PROCESS_THROTTLE", "RATE_LIMIT_INFO", "UNKNOWN"];

    public int SubscriberCount => Volatile.Read(ref subscribers).Length;

    public EventSubscription Subscribe(string name, int capacity, EventFilter filter, string dropCounter)
    {
        return Attach(new EventSubscription(name, capacity, filter, dropCounter, Unsubscribe));
    }

    /// <summary>Adds a sink for the agent's lifetime (the JSON export) or until it unsubscribes.</summary>
    internal T Attach<T>(T sink)
        where T : IEventSink
    {
        lock (gate)
        {
            subscribers = [.. subscribers, sink];
        }

        return sink;
    }

    /// <summary>Events published so far, by Tetragon's event type name (each read once; the event thread writes).</summary>
    public IEnumerable<(string Type, long Count)> EventsByType()
    {
        for (var i = 0; i < Types.Length; i++)
        {
            var count = Volatile.Read(ref byType[i]);
            if (count > 0)
            {
                yield return (Types[i], count);
            }
        }
    }

    // The event thread counts every event: a jump, not a search (Types follows this order).
    private static int TypeIndex(GetEventsResponse.EventOneofCase c) => c switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => 0,
        GetEventsResponse.EventOneofCase.ProcessExit => 1,
        GetEventsResponse.EventOneofCase.ProcessKprobe => 2,
        GetEventsResponse.EventOneofCase.ProcessTracepoint => 3,
        GetEventsResponse.EventOneofCase.ProcessUprobe => 4,
        GetEventsResponse.EventOneofCase.ProcessLsm => 5,
        GetEventsResponse.EventOneofCase.ProcessThrottle => 6,
        GetEventsResponse.EventOneofCase.RateLimitInfo => 7,
        _ => 8,
    };

    public void Publish(GetEventsResponse response)
    {
        eventsTotal.Value++; // one writer: the event thread
        byType[TypeIndex(response.EventCase)]++;
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            if (!subscriber.TryDeliver(response))
            {
                counters.Add(subscriber.DropCounter);
            }
        }
    }

    /// <summary>
    /// A hook event taken from its ring sample, with no message built: true when the JSON export
    /// is the only subscriber (or there is none) and could encode it. Otherwise nothing was
    /// delivered and the caller publishes the message.
    /// </summary>
    internal bool TryPublishHook(in HookSample sample)
    {
        var sinks = Volatile.Read(ref subscribers);
        if (sinks.Length > 1 || (sinks.Length == 1 && sinks[0] is not JsonExportQueue))
        {
            return false; // a gRPC stream reads messages
        }

        if (sinks.Length == 1)
        {
            var export = (JsonExportQueue)sinks[0];
            switch (export.TryDeliverHook(sample))
            {
                case HookDelivery.NotEncoded:
                    return false;
                case HookDelivery.Dropped:
                    counters.Add(export.DropCounter);
                    break;
            }
        }

        eventsTotal.Value++;
        byType[sample.Hook.Plan.Kind switch
        {
            Tetragon.Docker.Policy.Plan.HookKind.Tracepoint => TypeIndex(GetEventsResponse.EventOneofCase.ProcessTracepoint),
            Tetragon.Docker.Policy.Plan.HookKind.Uprobe => TypeIndex(GetEventsResponse.EventOneofCase.ProcessUprobe),
            Tetragon.Docker.Policy.Plan.HookKind.Lsm => TypeIndex(GetEventsResponse.EventOneofCase.ProcessLsm),
            _ => TypeIndex(GetEventsResponse.EventOneofCase.ProcessKprobe),
        }]++;
        return true;
    }

    /// <summary>The end of a drained batch: each subscriber gets what was published since, with one wake-up.</summary>
    public void EndBatch()
    {
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            subscriber.Release();
        }
    }

    /// <summary>Ends every subscription (shutdown, after the event thread stopped): readers drain what is queued and stop.</summary>
    public void CompleteAll()
    {
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            subscriber.Complete();
        }
    }

    private void Unsubscribe(EventSubscription subscription)
    {
        lock (gate)
        {
            subscribers = [.. subscribers.Where(s => !ReferenceEquals(s, subscription))];
        }
    }
}
