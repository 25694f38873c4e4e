using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The JSON export: one event per line, Tetragon's field names, into a rotating file.
/// It is one more bus subscriber with its own bounded queue; it flushes whenever the
/// queue runs empty, so a reader of the file sees events within milliseconds (under load it
/// reads every <see cref="Linger"/> instead, so one write carries many lines).
/// </summary>
internal sealed class JsonFileExporter(EventSubscription subscription, RotatingFileWriter writer, AgentCounters counters, ILogger logger, TimeProvider time)
{
    private readonly ExportJsonEncoder encoder = new();
    private readonly Utf8LineWriter text = new();
    private readonly StrongBox<long> written = counters.Cell(AgentCounters.ExportWritten);
    private DateTimeOffset lastErrorLog;

    /// <summary>A drained batch at least this large means the producer is busy: linger instead of flushing.</summary>
    internal const int BusyBatch = 64;

    /// <summary>How long a busy exporter lets events gather before it reads (and flushes) again.</summary>
    internal static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    public async Task RunAsync()
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = Drain(reader);

            // Under load, one wake-up and one write() per event would cost more than the event:
            // let a millisecond of events gather (the file stream writes whenever its buffer fills).
            while (batch >= BusyBatch)
            {
                await Task.Delay(Linger, time).ConfigureAwait(false);
                batch = Drain(reader);
            }

            TryFlush();
        }

        TryFlush();
        writer.Dispose();
    }

    private int Drain(ChannelReader<Api.GetEventsResponse> reader)
    {
        var n = 0;
        while (reader.TryRead(out var response))
        {
            Write(response);
            n++;
        }

        return n;
    }

    private void Write(Api.GetEventsResponse response)
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
