using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>
/// The decoder stage: takes raw samples off the reader's queue, hands them to the
/// process event handler, and releases deferred events on a short timer.
/// </summary>
internal sealed class EventPipeline(RingBufferReader reader, ProcessEventHandler handler, AgentCounters counters, ILogger logger)
{
    private static readonly TimeSpan DeferredTick = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(CancellationToken stopping)
    {
        var samples = reader.Samples;
        while (true)
        {
            bool more;
            if (handler.DeferredCount > 0)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                tick.CancelAfter(DeferredTick);
                try
                {
                    more = await samples.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    more = true;
                }
            }
            else
            {
                // No stopping token here: on shutdown the reader completes the queue after draining it.
                more = await samples.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
            }

            while (samples.TryRead(out var sample))
            {
                try
                {
                    handler.OnSample(sample.Span);
                }
                catch (InvalidDataException e)
                {
                    counters.Add(AgentCounters.DecodeErrors);
                    logger.LogWarning("dropping malformed event: {Reason}", e.Message);
                }
                finally
                {
                    sample.Return();
                }
            }

            handler.FlushDeferred();
            if (!more)
            {
                handler.FlushDeferred(force: true);
                return;
            }
        }
    }
}
