using System.Threading.Channels;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// One consumer of the event bus (the JSON file, a gRPC stream) with its own bounded
/// queue: when it is full the event is dropped and counted here, never waited on.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Channel<GetEventsResponse> channel;
    private readonly Action<EventSubscription> onDispose;
    private long dropped;

    internal EventSubscription(string name, int capacity, EventFilter filter, string dropCounter, Action<EventSubscription> onDispose)
    {
        Name = name;
        DropCounter = dropCounter;
        Filter = filter;
        this.onDispose = onDispose;
        channel = Channel.CreateBounded<GetEventsResponse>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: we count it
        });
    }

    public string Name { get; }

    /// <summary>The agent-wide counter this subscriber's drops add to.</summary>
    public string DropCounter { get; }

    public EventFilter Filter { get; }

    public long Dropped => Interlocked.Read(ref dropped);

    public ChannelReader<GetEventsResponse> Reader => channel.Reader;

    /// <summary>False when the subscriber's queue was full and the event was dropped.</summary>
    internal bool TryDeliver(GetEventsResponse response)
    {
        if (!Filter.Matches(response))
        {
            return true;
        }

        if (channel.Writer.TryWrite(response))
        {
            return true;
        }

        Interlocked.Increment(ref dropped);
        return false;
    }

    internal void Complete() => channel.Writer.TryComplete();

    public void Dispose()
    {
        channel.Writer.TryComplete();
        onDispose(this);
    }
}
