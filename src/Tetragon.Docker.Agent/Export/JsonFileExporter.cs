using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The JSON export: one event per line, Tetragon's field names, into a rotating file.
/// It is one more bus subscriber with its own bounded queue, on a thread of its own: it
/// takes a whole batch per wake-up, writes it and flushes, so a reader of the file sees
/// events within milliseconds and a storm costs one write() per batch, not per event.
/// </summary>
internal sealed class JsonFileExporter(EventSubscription subscription, RotatingFileWriter writer, AgentCounters counters, ILogger logger, TimeProvider time)
{
    private readonly ExportJsonEncoder encoder = new();
    private readonly Utf8LineWriter text = new();
    private readonly StrongBox<long> written = counters.Cell(AgentCounters.ExportWritten);
    private DateTimeOffset lastErrorLog;

    /// <summary>Runs until the subscription ends and everything queued is written.</summary>
    public void Run()
    {
        var batch = new List<GetEventsResponse>(1024);
        while (subscription.Take(batch))
        {
            foreach (var response in batch)
            {
                Write(response);
            }

            batch.Clear();
            TryFlush();
        }

        TryFlush();
        writer.Dispose();
    }

    private void Write(GetEventsResponse response)
    {
        text.Clear();
        encoder.Write(response, text);
        try
        {
            writer.WriteLine(text.Written);
            Interlocked.Increment(ref written.Value);
        }
        catch (IOException e)
        {
            // A full disk must not stop the agent: count, log now and then, keep going.
            counters.Add(AgentCounters.ExportErrors);
            LogError(e);
        }
    }

    private void TryFlush()
    {
        try
        {
            writer.Flush();
        }
        catch (IOException e)
        {
            counters.Add(AgentCounters.ExportErrors);
            LogError(e);
        }
    }

    private void LogError(IOException e)
    {
        var now = time.GetUtcNow();
        if (now - lastErrorLog > TimeSpan.FromSeconds(10))
        {
            lastErrorLog = now;
            logger.LogError("export to {Path} failed: {Reason}", writer.Path, e.Message);
        }
    }
}
