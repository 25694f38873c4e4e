using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>The bus hands events over once per batch; a full subscriber drops and counts only its own.</summary>
public sealed class EventBusTests
{
    private readonly AgentCounters counters = new();

    private static GetEventsResponse Event(uint pid) =>
        new() { ProcessExec = new ProcessExec { Process = new Api.Process { Pid = pid } } };

    [Fact]
    public void EventsReachTheSubscriberOnlyAtTheEndOfTheBatchInOrder()
    {
        var bus = new EventBus(counters);
        using var sub = bus.Subscribe("t", 100, EventFilter.AllowAll, "drops");
        var batch = new List<GetEventsResponse>();
        bus.Publish(Event(1));
        bus.Publish(Event(2));
        Assert.False(sub.TryTake(batch));

        bus.EndBatch();
        bus.Publish(Event(3));
        bus.EndBatch();
        Assert.True(sub.TryTake(batch));
        Assert.Equal([1u, 2u, 3u], batch.Select(e => e.ProcessExec.Process.Pid ?? 0));
        Assert.Equal(3, counters.Get(AgentCounters.EventsTotal));
    }

    [Fact]
    public void AFullSubscriberDropsAndCountsWithoutTouchingAnother()
    {
        var bus = new EventBus(counters);
        using var small = bus.Subscribe("small", 2, EventFilter.AllowAll, "small_drops");
        using var large = bus.Subscribe("large", 100, EventFilter.AllowAll, "large_drops");
        for (uint i = 0; i < 5; i++)
        {
            bus.Publish(Event(i));
        }

        bus.EndBatch();
        bus.Publish(Event(5)); // still full: nothing was taken
        bus.EndBatch();

        var batch = new List<GetEventsResponse>();
        Assert.True(small.TryTake(batch));
        Assert.Equal([0u, 1u], batch.Select(e => e.ProcessExec.Process.Pid ?? 0));
        Assert.Equal(4, small.Dropped);
        Assert.Equal(4, counters.Get("small_drops"));
        batch.Clear();
        Assert.True(large.TryTake(batch));
        Assert.Equal(6, batch.Count);
        Assert.Equal(0, counters.Get("large_drops"));
    }

    [Fact]
    public async Task AWaitingConsumerWakesOnReleaseAndEndsAfterDrainingOnComplete()
    {
        var bus = new EventBus(counters);
        var sub = bus.Subscribe("t", 100, EventFilter.AllowAll, "drops");
        var taken = new List<uint>();
        var consumer = Task.Run(
            async () =>
            {
                var batch = new List<GetEventsResponse>();
                while (await sub.WaitAsync(TestContext.Current.CancellationToken))
                {
                    sub.TryTake(batch);
                    taken.AddRange(batch.Select(e => e.ProcessExec.Process.Pid ?? 0));
                    batch.Clear();
                }
            },
            TestContext.Current.CancellationToken);

        bus.Publish(Event(1));
        bus.EndBatch();
        bus.Publish(Event(2)); // staged, not released: Complete must still deliver it
        bus.CompleteAll();
        await consumer.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal([1u, 2u], taken);
    }

    [Fact]
    public async Task AnAsyncReaderWakesOnReleaseAndStopsOnCancel()
    {
        var bus = new EventBus(counters);
        using var sub = bus.Subscribe("grpc", 100, EventFilter.AllowAll, "drops");
        var wait = sub.WaitAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(wait.IsCompleted);
        bus.Publish(Event(7));
        bus.EndBatch();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        var batch = new List<GetEventsResponse>();
        Assert.True(sub.TryTake(batch));
        using var cancel = new CancellationTokenSource();
        var idle = sub.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => idle);
    }

    [Fact]
    public void FilteredOutEventsAreNeitherQueuedNorDropped()
    {
        var bus = new EventBus(counters);
        var filter = EventFilter.Compile(new GetEventsRequest { AllowList = { new Filter { Pid = { 2 } } } });
        using var sub = bus.Subscribe("t", 1, filter, "drops");
        bus.Publish(Event(1));
        bus.Publish(Event(2));
        bus.Publish(Event(3));
        bus.EndBatch();
        var batch = new List<GetEventsResponse>();
        Assert.True(sub.TryTake(batch));
        Assert.Equal(2u, Assert.Single(batch).ProcessExec.Process.Pid);
        Assert.Equal(0, sub.Dropped);
    }
}
