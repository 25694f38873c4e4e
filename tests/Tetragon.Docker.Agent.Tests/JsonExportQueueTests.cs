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

    [Fact]
    public void TheListsKeepEventsOutOfTheExportWithoutCountingThemAsDrops()
    {
        var queue = new JsonExportQueue(capacity: 10)
        {
            Filter = Events.EventFilter.Compile(
                Events.FilterList.Parse("{\"event_set\":[\"PROCESS_EXEC\"]}", "--export-allowlist"),
                Events.FilterList.Parse("{\"pid\":[2]}", "--export-denylist")),
        };
        Assert.True(queue.TryDeliver(Event(1)));
        Assert.True(queue.TryDeliver(Event(2))); // denied: kept out, yet not a drop
        Assert.True(queue.TryDeliver(new GetEventsResponse { ProcessExit = new ProcessExit { Process = new Api.Process { Pid = 3 } } }));

        queue.Complete();
        var chunk = queue.Take()!;
        Assert.Equal(1, chunk.Count);
        Assert.Contains("\"pid\": 1 }", System.Text.Encoding.UTF8.GetString(chunk.Line(0)));
    }

    [Fact]
    public void TheRateLimitExportsTheLimitAndReportsTheRestInTheExport()
    {
        var time = new ManualTime();
        var counted = new System.Runtime.CompilerServices.StrongBox<long>();
        var queue = new JsonExportQueue(capacity: 1000)
        {
            RateLimit = new ExportRateLimiter(5, time),
            RateLimited = counted,
            NodeName = "node-a",
        };
        for (uint pid = 1; pid <= 12; pid++)
        {
            Assert.True(queue.TryDeliver(Event(pid))); // over the limit: kept out, not a drop
        }

        queue.Release(); // the minute is not over: no report yet
        time.Advance(ExportRateLimiter.Interval);
        queue.Release();
        for (uint pid = 13; pid <= 20; pid++)
        {
            queue.TryDeliver(Event(pid)); // a new minute: 5 more, 3 refused
        }

        queue.Complete(); // shutdown reports the rest
        var lines = new List<string>();
        while (queue.Take() is { } chunk)
        {
            lines.AddRange(Enumerable.Range(0, chunk.Count).Select(i => System.Text.Encoding.UTF8.GetString(chunk.Line(i))));
        }

        var parser = new Google.Protobuf.JsonParser(Google.Protobuf.JsonParser.Settings.Default);
        var events = lines.Select(l => parser.Parse<GetEventsResponse>(l)).ToList();
        Assert.Equal([1u, 2, 3, 4, 5, 13, 14, 15, 16, 17], events.Where(e => e.ProcessExec is not null).Select(e => e.ProcessExec.Process.Pid));
        var reports = events.Where(e => e.RateLimitInfo is not null).ToList();
        Assert.Equal([7ul, 3ul], reports.Select(r => r.RateLimitInfo.NumberOfDroppedProcessEvents));
        Assert.All(reports, r => Assert.Equal("node-a", r.NodeName));
        Assert.Equal(10, counted.Value);
        Assert.Contains("{ \"rate_limit_info\": { \"number_of_dropped_process_events\": \"7\" }, \"node_name\": \"node-a\", \"time\": ", lines[5]);
    }
}
