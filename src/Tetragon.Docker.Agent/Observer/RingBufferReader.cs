using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>
/// The reader thread: polls the ring buffer, copies each sample into a bounded queue.
/// It never blocks on the queue: a full queue drops and counts, so the kernel side
/// keeps draining.
/// </summary>
internal sealed class RingBufferReader : IDisposable
{
    /// <summary>Producers skip wakeups, so the reader also wakes on this timer.</summary>
    private const int PollTimeoutMs = 5;

    private readonly Channel<RawSample> queue;
    private readonly AgentCounters counters;
    private readonly StrongBox<long> received;
    private readonly RingBuffer ringBuffer;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;

    public RingBufferReader(int ringBufferFd, int queueSize, AgentCounters counters)
    {
        this.counters = counters;
        received = counters.Cell(AgentCounters.RingBufferReceived);
        queue = Channel.CreateBounded<RawSample>(new BoundedChannelOptions(queueSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: we count it
        });
        ringBuffer = new RingBuffer(ringBufferFd, OnSample);
        thread = new Thread(Run) { IsBackground = true, Name = "ringbuf-reader" };
    }

    public ChannelReader<RawSample> Samples => queue.Reader;

    public void Start() => thread.Start();

    /// <summary>Drains what the kernel already wrote, then ends the queue.</summary>
    public void Stop()
    {
        stop.Cancel();
        if (thread.IsAlive)
        {
            thread.Join();
        }

        queue.Writer.TryComplete();
    }

    public void Dispose()
    {
        Stop();
        ringBuffer.Dispose();
        stop.Dispose();
    }

    private void Run()
    {
        while (!stop.IsCancellationRequested)
        {
            if (ringBuffer.PollAndDrain(PollTimeoutMs) < 0)
            {
                counters.Add(AgentCounters.DecodeErrors);
                Thread.Sleep(PollTimeoutMs);
            }
        }

        ringBuffer.PollAndDrain(0);
    }

    private void OnSample(ReadOnlySpan<byte> data)
    {
        Interlocked.Increment(ref received.Value);
        var sample = RawSample.Copy(data);
        if (!queue.Writer.TryWrite(sample))
        {
            sample.Return();
            counters.Add(AgentCounters.RingBufferQueueDropped);
        }
    }
}
