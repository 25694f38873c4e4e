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
/// An idle loop stops polling on the timer: producers then wake it with the first record
/// (see <see cref="IdleAfterEmptyPolls"/>), so an idle agent sleeps instead of waking 50 times a second.
/// </summary>
internal sealed class EventLoop : IDisposable
{
    /// <summary>
    /// Producers skip wakeups until the ring is 1/8 full, so the loop also wakes on this timer.
    /// Each wake-up costs a context switch and cold caches (an exec storm's children run in
    /// between): at 5 ms the agent spent 40 µs of CPU per exec of a storm, at 20 ms 22–26 µs.
    /// The export holds a chunk up to 20 ms anyway.
    /// </summary>
    private const int PollTimeoutMs = 20;

    /// <summary>
    /// Past <see cref="FastRecordsPerMs"/> the loop polls on this shorter timer: draining in
    /// smaller, steadier batches kept a paced storm lossless at 1M events/s where 20 ms lost
    /// events at 0.9–1M/s (bench/run.sh syscall-storm).
    /// </summary>
    private const int FastPollTimeoutMs = 5;

    /// <summary>Records per millisecond (100k/s) over the last poll and drain that switch to the fast timer.</summary>
    private const int FastRecordsPerMs = 100;

    /// <summary>After this many empty polls in a row (0.2 s) the loop goes idle; the first record ends it.</summary>
    private const int IdleAfterEmptyPolls = 10;

    /// <summary>Idle, the loop still looks at the ring this often: a record that raced the switch waits at most this long.</summary>
    private const int IdlePollTimeoutMs = 1000;

    private readonly ProcessEventHandler handler;
    private readonly EventBus bus;
    private readonly AgentCounters counters;
    private readonly ILogger logger;
    private readonly StrongBox<long> received;
    private readonly RingBuffer ringBuffer;
    private readonly Thread thread;
    private readonly Action<bool> setIdleWakeups;
    private volatile bool stopping;
    private DateTime lastWarning;
    private long nextPrune;
    private ulong lostAtLastPrune;

    /// <summary>How often the loop looks for processes whose exits the kernel lost (only after it lost some).</summary>
    private const int PruneEveryMs = 2000;

    /// <param name="setIdleWakeups">true: producers wake the reader on the first record; false: only in batches.</param>
    public EventLoop(int ringBufferFd, ProcessEventHandler handler, EventBus bus, AgentCounters counters, ILogger logger, Action<bool> setIdleWakeups)
    {
        this.setIdleWakeups = setIdleWakeups;
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
        var idle = false;
        var fast = false;
        var emptyPolls = 0;
        while (!stopping)
        {
            var started = Environment.TickCount64;
            var n = ringBuffer.PollAndDrain(idle ? IdlePollTimeoutMs : fast ? FastPollTimeoutMs : PollTimeoutMs);
            fast = n >= FastRecordsPerMs * Math.Max(1, Environment.TickCount64 - started);
            if (n < 0)
            {
                counters.Add(AgentCounters.DecodeErrors);
                Thread.Sleep(PollTimeoutMs);
            }

            EndBatch(force: false);
            if (n > 0)
            {
                emptyPolls = 0;
                if (idle)
                {
                    idle = false;
                    SetIdle(false);
                }
            }
            else if (!idle && ++emptyPolls >= IdleAfterEmptyPolls && handler.DeferredCount == 0)
            {
                // Deferred events need the timer to go out; otherwise sleep until a record arrives.
                idle = true;
                SetIdle(true);
                ringBuffer.PollAndDrain(0); // a record written before producers saw the switch
                EndBatch(force: false);
            }
        }

        ringBuffer.PollAndDrain(0);
        EndBatch(force: true);
    }

    private void SetIdle(bool idle)
    {
        try
        {
            setIdleWakeups(idle);
        }
        catch (Exception e)
        {
            Warn(e); // the timer still polls: events are late, never lost
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<(Action Run, Action Cancel)> work = new();

    /// <summary>
    /// Runs <paramref name="read"/> on the loop's thread, which owns the process cache, between
    /// two batches: within a poll interval (a second when idle). Fails once the loop is stopping.
    /// </summary>
    public Task<T> Invoke<T>(Func<T> read)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Enqueue((
            () =>
            {
                try
                {
                    done.TrySetResult(read());
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            },
            () => done.TrySetException(new InvalidOperationException("the agent is stopping"))));
        if (stopping)
        {
            // The loop may have run its last batch already: nothing would run what is left.
            while (work.TryDequeue(out var item))
            {
                item.Cancel();
            }
        }

        return done.Task;
    }

    private void RunWork()
    {
        while (work.TryDequeue(out var item))
        {
            item.Run();
        }
    }

    private void EndBatch(bool force)
    {
        RunWork();
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

        PollThrottle();
        bus.EndBatch();
        PruneAfterLosses();
    }

    /// <summary>--cgroup-rate's reports and stops; null when off.</summary>
    public CgroupThrottleMonitor? Throttle { get; init; }

    private long nextThrottlePoll;

    /// <summary>The throttle monitor looks at the kernel's throttled cgroups this often.</summary>
    private const int ThrottlePollEveryMs = 1000;

    private void PollThrottle()
    {
        var now = Environment.TickCount64;
        if (Throttle is null || now < nextThrottlePoll)
        {
            return;
        }

        nextThrottlePoll = now + ThrottlePollEveryMs;
        try
        {
            Throttle.Poll(BootClock.NowBootNs());
        }
        catch (BpfException e)
        {
            Warn(e);
        }
    }

    /// <summary>After the kernel dropped events (a full ring, a throttled cgroup), some exits never arrive: their processes leave the cache here.</summary>
    private void PruneAfterLosses()
    {
        var now = Environment.TickCount64;
        if (now < nextPrune)
        {
            return;
        }

        nextPrune = now + PruneEveryMs;
        var lost = counters.KernelDropped();
        if (lost == lostAtLastPrune && !handler.HasPruneSuspects)
        {
            return;
        }

        lostAtLastPrune = lost;
        try
        {
            handler.PruneExited();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(e);
        }
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
