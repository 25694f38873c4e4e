using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// A gRPC GetEvents stream's place on the event bus, with its own bounded queue: when it
/// is full the event is dropped and counted here, never waited on.
/// The event thread stages events without locking and hands them over once per batch
/// (<see cref="Release"/>), so a consumer wakes once per batch, not once per event.
/// </summary>
public sealed class EventSubscription : IEventSink, IDisposable
{
    /// <summary>Staged events handed over without waiting for the end of the batch.</summary>
    private const int HandOverCount = 256;

    private readonly object gate = new();
    private readonly int capacity;
    private readonly Action<EventSubscription> onDispose;
    private List<GetEventsResponse> staged = []; // the event thread's alone
    private List<GetEventsResponse> queued = []; // under gate
    private int queuedCount;
    private bool completed;
    private TaskCompletionSource? asyncWaiter;
    private long dropped;

    internal EventSubscription(string name, int capacity, EventFilter filter, string dropCounter, Action<EventSubscription> onDispose)
    {
        Name = name;
        DropCounter = dropCounter;
        Filter = filter;
        this.capacity = capacity;
        this.onDispose = onDispose;
    }

    public string Name { get; }

    /// <summary>The agent-wide counter this subscriber's drops add to.</summary>
    public string DropCounter { get; }

    public EventFilter Filter { get; }

    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Event thread: false when the subscriber's queue was full and the event was dropped.</summary>
    public bool TryDeliver(GetEventsResponse response)
    {
        if (!Filter.Matches(response))
        {
            return true;
        }

        if (staged.Count + Volatile.Read(ref queuedCount) >= capacity)
        {
            Interlocked.Increment(ref dropped);
            return false;
        }

        staged.Add(response);
        if (staged.Count >= HandOverCount)
        {
            Release(); // under a storm the ring never runs dry, so a batch has no end: hand over by size
        }

        return true;
    }

    /// <summary>Event thread, end of a batch: hands what was staged to the consumer and wakes it.</summary>
    public void Release()
    {
        if (staged.Count == 0)
        {
            return;
        }

        TaskCompletionSource? wake;
        lock (gate)
        {
            if (completed)
            {
                staged.Clear();
                return;
            }

            if (queued.Count == 0)
            {
                (queued, staged) = (staged, queued);
            }
            else
            {
                queued.AddRange(staged);
                staged.Clear();
            }

            queuedCount = queued.Count;
            wake = asyncWaiter;
            asyncWaiter = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>Waits without a thread until events are queued or the subscription ends.</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (gate)
        {
            if (queued.Count > 0 || completed)
            {
                return queued.Count > 0;
            }

            asyncWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = asyncWaiter.Task;
        }

        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            return queued.Count > 0;
        }
    }

    /// <summary>Moves whatever is queued into <paramref name="batch"/> without waiting.</summary>
    public bool TryTake(List<GetEventsResponse> batch)
    {
        lock (gate)
        {
            if (queued.Count == 0)
            {
                return false;
            }

            batch.AddRange(queued);
            queued.Clear();
            queuedCount = 0;
            return true;
        }
    }

    /// <summary>Shutdown, after the event thread ended: what was staged is queued, then the consumer drains and stops.</summary>
    public void Complete()
    {
        Release();
        End();
    }

    public void Dispose()
    {
        End();
        onDispose(this);
    }

    private void End()
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            completed = true;
            wake = asyncWaiter;
            asyncWaiter = null;
        }

        wake?.TrySetResult();
    }
}
