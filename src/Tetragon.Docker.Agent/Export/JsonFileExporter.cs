using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The JSON export's writer thread: takes the chunks of lines the event thread encoded
/// (<see cref="JsonExportQueue"/>) and appends them to the rotating file, a chunk per
/// write() and a flush per chunk, so a reader of the file sees events within milliseconds.
/// </summary>
internal sealed class JsonFileExporter(JsonExportQueue queue, RotatingFileWriter writer, AgentCounters counters, ILogger logger, TimeProvider time)
{
    private readonly StrongBox<long> written = counters.Cell(AgentCounters.ExportWritten);
    private DateTimeOffset lastErrorLog;

    /// <summary>Runs until the queue is completed and everything in it is written.</summary>
    public void Run()
    {
        while (queue.Take() is { } chunk)
        {
            try
            {
                writer.WriteChunk(chunk);
                writer.Flush();
                Interlocked.Add(ref written.Value, chunk.Count);
            }
            catch (IOException e)
            {
                // A full disk must not stop the agent: count, log now and then, keep going.
                counters.Add(AgentCounters.ExportErrors, chunk.Count);
                LogError(e);
            }

            queue.Return(chunk);
        }

        writer.Dispose();
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
