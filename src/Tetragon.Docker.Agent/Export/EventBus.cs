using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>Fans each event out to every subscriber's bounded queue; a slow subscriber only loses its own events.</summary>
public sealed class EventBus(AgentCounters counters)
{
    private readonly Lock gate = new();
    private readonly StrongBox<long> eventsTotal = counters.Cell(AgentCounters.EventsTotal);
    private EventSubscription[] subscribers = [];

    public int SubscriberCount => Volatile.Read(ref subscribers).Length;

    public EventSubscription Subscribe(string name, int capacity, EventFilter filter, string dropCounter)
    {
        var subscription = new EventSubscription(name, capacity, filter, dropCounter, Unsubscribe);
        lock (gate)
        {
            subscribers = [.. subscribers, subscription];
        }

        return subscription;
    }

    public void Publish(GetEventsResponse response)
    {
        Interlocked.Increment(ref eventsTotal.Value);
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            if (!subscriber.TryDeliver(response))
            {
                counters.Add(subscriber.DropCounter);
            }
        }
    }

    /// <summary>Ends every subscription (shutdown): readers drain what is queued and stop.</summary>
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
            subscribers = [.. subscribers.Where(s => s != subscription)];
        }
    }
}
