using System.Buffers;
using System.Text;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The JSON export: one event per line, Tetragon's field names, into a rotating file.
/// It is one more bus subscriber with its own bounded queue; it flushes whenever the
/// queue runs empty, so a reader of the file sees events within milliseconds.
/// </summary>
internal sealed class JsonFileExporter(EventSubscription subscription, RotatingFileWriter writer, AgentCounters counters, ILogger logger)
{
    private readonly ExportJsonEncoder encoder = new();
    private readonly StringWriter text = new(new StringBuilder(4096));
    private DateTimeOffset lastErrorLog;

    public async Task RunAsync()
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var response))
            {
                Write(response);
            }

            TryFlush();
        }

        TryFlush();
        writer.Dispose();
    }

    private void Write(Api.GetEventsResponse response)
    {
        var sb = text.GetStringBuilder();
        sb.Clear();
        encoder.Write(response, text);
        var length = Encoding.UTF8.GetMaxByteCount(sb.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var n = 0;
            foreach (var chunk in sb.GetChunks())
            {
                n += Encoding.UTF8.GetBytes(chunk.Span, buffer.AsSpan(n));
            }

            writer.WriteLine(buffer.AsSpan(0, n));
            counters.Add(AgentCounters.ExportWritten);
        }
        catch (IOException e)
        {
            // A full disk must not stop the agent: count, log now and then, keep going.
            counters.Add(AgentCounters.ExportErrors);
            LogError(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
        var now = DateTimeOffset.UtcNow;
        if (now - lastErrorLog > TimeSpan.FromSeconds(10))
        {
            lastErrorLog = now;
            logger.LogError("export to {Path} failed: {Reason}", writer.Path, e.Message);
        }
    }
}
