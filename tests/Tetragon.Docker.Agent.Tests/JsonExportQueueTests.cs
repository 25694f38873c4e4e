using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Tests;

public sealed class JsonExportQueueTests
{
    private static GetEventsResponse Event(uint pid) => new() { ProcessExec = new ProcessExec { Process = new Api.Process { Pid = pid } } };

    [Fact]
    public async Task AFullQueueWaitsForTheWriterInsteadOfDropping()
    {
        var queue = new JsonExportQueue(capacity: 2, fullWait: TimeSpan.FromSeconds(10));
        Assert.True(queue.TryDeliver(Event(1)));
        Assert.True(queue.TryDeliver(Event(2)));

        // The writer frees the queue a little later; the third event waits for it.
        var writer = new Thread(() =>
        {
            Thread.Sleep(200);
            queue.Return(queue.Take()!);
        });
        writer.Start();
        var started = Environment.TickCount64;
        Assert.True(queue.TryDeliver(Event(3)));
        Assert.True(Environment.TickCount64 - started >= 150, "the event thread did not wait for the writer");
        await Task.Run(writer.Join, TestContext.Current.CancellationToken);

        queue.Complete();
        var chunk = queue.Take()!;
        Assert.Equal(1, chunk.Count);
        Assert.Contains("\"pid\": 3", System.Text.Encoding.UTF8.GetString(chunk.Line(0)));
    }

    [Fact]
    public async Task ABatchEndHoldsAYoungChunkForMoreLines()
    {
        var queue = new JsonExportQueue(capacity: 100);
        Assert.True(queue.TryDeliver(Event(1)));
        queue.Release();
        Assert.True(queue.TryDeliver(Event(2))); // the next batch joins the same chunk

        await Task.Delay(JsonExportQueue.HoldMs + 10, TestContext.Current.CancellationToken);
        queue.Release();
        var chunk = await Task.Run(queue.Take, TestContext.Current.CancellationToken); // handed over: Take does not block
        Assert.Equal(2, chunk!.Count);
    }

    [Fact]
    public void AStuckWriterCostsOneWaitThenDropsUntilThereIsRoom()
    {
        var queue = new JsonExportQueue(capacity: 1, fullWait: TimeSpan.FromMilliseconds(100));
        Assert.True(queue.TryDeliver(Event(1)));

        var started = Environment.TickCount64;
        Assert.False(queue.TryDeliver(Event(2))); // waited, then dropped
        Assert.True(Environment.TickCount64 - started >= 90);

        started = Environment.TickCount64;
        Assert.False(queue.TryDeliver(Event(3))); // stalled: no second wait
        Assert.True(Environment.TickCount64 - started < 50, "a stuck writer made every event wait");

        queue.Return(queue.Take()!);
        Assert.True(queue.TryDeliver(Event(4))); // room again
    }

    [Fact]
    public void ALineWhoseEncodingFailsLeavesNothingInTheChunk()
    {
        var queue = new JsonExportQueue(capacity: 10);
        var bad = Event(1);
        bad.Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1, Nanos = -5 }; // JsonFormatter refuses it
        Assert.ThrowsAny<Exception>(() => queue.TryDeliver(bad)); // the bus counts it; the line is half written
        Assert.True(queue.TryDeliver(Event(2)));

        queue.Complete();
        var chunk = queue.Take()!;
        Assert.Equal(1, chunk.Count);
        var text = System.Text.Encoding.UTF8.GetString(chunk.Bytes);
        Assert.StartsWith("{ \"process_exec\": { \"process\": { \"pid\": 2 }", text);
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(chunk.Line(0)));
        Assert.DoesNotContain("\"pid\": 1", text);
    }

    [Fact]
    public void AChunkCountsOnlyCommittedLines()
    {
        var chunk = new ExportChunk();
        chunk.NextLine().Write("{ \"partial\": ");
        chunk.NextLine().Write("{ \"a\": 1 }\n");
        chunk.CommitLine();
        chunk.Add("{ \"b\": 2 }\n"u8);
        chunk.NextLine().Write("{ \"left\": "); // not committed: not in Bytes

        Assert.Equal(2, chunk.Count);
        Assert.Equal("{ \"a\": 1 }\n{ \"b\": 2 }\n", System.Text.Encoding.UTF8.GetString(chunk.Bytes));
        Assert.Equal("{ \"b\": 2 }\n", System.Text.Encoding.UTF8.GetString(chunk.Line(1)));
        chunk.Clear();
        Assert.Equal(0, chunk.Bytes.Length);
    }
}
