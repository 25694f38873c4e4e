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
    private IEventSink[] subscribers = [];

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

    public void Publish(GetEventsResponse response)
    {
        eventsTotal.Value++; // one writer: the event thread
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            if (!subscriber.TryDeliver(response))
            {
                counters.Add(subscriber.DropCounter);
            }
        }
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
