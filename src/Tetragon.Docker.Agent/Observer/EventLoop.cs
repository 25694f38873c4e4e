using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>
/// The agent's one event thread: polls the ring buffer, decodes each sample in place
/// (no copy, no hand-off), feeds the process cache, and publishes; at the end of each
/// drained batch it releases deferred events and wakes the subscribers once. One wake-up
/// per batch instead of one per event is what keeps the agent cheap under a storm.
/// If this thread falls behind, the kernel ring buffer fills and the kernel counts the loss.
/// </summary>
internal sealed class EventLoop : IDisposable
{
    /// <summary>Producers skip wakeups until the ring is 1/8 full, so the loop also wakes on this timer.</summary>
    private const int PollTimeoutMs = 5;

    private readonly ProcessEventHandler handler;
    private readonly EventBus bus;
    private readonly AgentCounters counters;
    private readonly ILogger logger;
    private readonly StrongBox<long> received;
    private readonly RingBuffer ringBuffer;
    private readonly Thread thread;
    private volatile bool stopping;
    private DateTime lastWarning;

    public EventLoop(int ringBufferFd, ProcessEventHandler handler, EventBus bus, AgentCounters counters, ILogger logger)
    {
        this.handler = handler;
        this.bus = bus;
        this.counters = counters;
        this.logger = logger;
        received = counters.Cell(AgentCounters.RingBufferReceived);
        ringBuffer = new RingBuffer(ringBufferFd, OnSample);
        thread = new Thread(Run) { IsBackground = true, Name = "event-loop" };
    }

    public void Start() => thread.Start();

    /// <summary>Drains what the kernel already wrote, releases every deferred event, and returns when the thread has ended.</summary>
    public void Stop()
    {
        stopping = true;
        if (thread.IsAlive)
        {
            thread.Join();
        }
    }

    public void Dispose()
    {
        Stop();
        ringBuffer.Dispose();
    }

    private void Run()
    {
        while (!stopping)
        {
            if (ringBuffer.PollAndDrain(PollTimeoutMs) < 0)
            {
                counters.Add(AgentCounters.DecodeErrors);
                Thread.Sleep(PollTimeoutMs);
            }

            EndBatch(force: false);
        }

        ringBuffer.PollAndDrain(0);
        EndBatch(force: true);
    }

    private void EndBatch(bool force)
    {
        try
        {
            if (force || handler.DeferredCount > 0)
            {
                handler.FlushDeferred(force);
            }
        }
        catch (Exception e)
        {
            Warn(e);
        }

        bus.EndBatch();
    }

    private void OnSample(ReadOnlySpan<byte> data)
    {
        received.Value++; // this thread is its only writer
        try
        {
            handler.OnSample(data);
        }
        catch (Exception e)
        {
            Warn(e);
        }
    }

    /// <summary>A malformed event is counted and skipped; the log hears of it at most once a second.</summary>
    private void Warn(Exception e)
    {
        counters.Add(AgentCounters.DecodeErrors);
        var now = DateTime.UtcNow;
        if (now - lastWarning >= TimeSpan.FromSeconds(1))
        {
            lastWarning = now;
            logger.LogWarning("dropping malformed event: {Reason}", e.Message);
        }
    }
}
