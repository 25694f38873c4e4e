using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The JSON export's queue. Events are encoded on the event thread, the moment they are
/// published, into a chunk of lines; a chunk goes to the writer thread at the end of each
/// batch. Queuing bytes rather than event objects means no event outlives its batch on
/// the managed heap, so a storm costs the GC nothing but short-lived allocations.
/// Bounded by events. When the writer is a full queue behind, the event thread waits for it
/// (up to <c>fullWait</c>) rather than dropping: the kernel's ring buffer holds an event in a
/// tenth of the bytes of its line, and keeps it until the writer catches up. A writer stuck
/// past the wait (a hung disk) makes the export drop and count events until it has room again,
/// so the event thread, the process cache and gRPC streams go on.
/// </summary>
internal sealed class JsonExportQueue(int capacity, TimeSpan fullWait) : IEventSink
{
    public JsonExportQueue(int capacity)
        : this(capacity, TimeSpan.FromMilliseconds(250))
    {
    }

    private readonly ExportJsonEncoder encoder = new();
    private readonly object gate = new();
    private readonly Queue<ExportChunk> queued = new();
    private readonly Stack<ExportChunk> free = new();
    private ExportChunk staged = new(); // the event thread's alone
    private int queuedEvents;
    private bool completed;
    private bool writerStalled; // the event thread's: the last wait ran out
    private long stagedSince; // the event thread's: when the staged chunk got its first line

    /// <summary>Chunks kept for reuse once the writer has caught up.</summary>
    private const int KeepFreeChunks = 16;

    /// <summary>How long the first line of a chunk may wait for more before the chunk goes to the writer.</summary>
    public const int HoldMs = 20;

    public string DropCounter => AgentCounters.ExportDropped;

    /// <summary><c>--export-allowlist</c> / <c>--export-denylist</c>: an event they keep out is not exported, and not a drop.</summary>
    public EventFilter Filter { get; init; } = EventFilter.AllowAll;

    /// <summary><c>--field-filters</c>: what the export writes of each event.</summary>
    public FieldFilters Fields { get; init; } = FieldFilters.None;

    /// <summary><c>--export-rate-limit</c>; null: no limit.</summary>
    public ExportRateLimiter? RateLimit { get; init; }

    /// <summary>Counts the events the rate limit refused (all time; the limiter reports per minute).</summary>
    public StrongBox<long> RateLimited { get; init; } = new();

    /// <summary>node_name of the <c>rate_limit_info</c> events the export writes itself.</summary>
    public string NodeName { get; init; } = "";

    /// <summary>Lines written from ring samples rather than from messages (the event thread's).</summary>
    public long HookLines { get; private set; }

    public bool TryDeliver(GetEventsResponse response)
    {
        if (!Filter.Matches(response) || !UnderRateLimit())
        {
            return true; // kept out on purpose: not a drop
        }

        if (!HasRoom())
        {
            return false; // the bus counts it under DropCounter
        }

        encoder.Write(Fields.Apply(response), staged.NextLine());
        Stage();
        if (staged.IsFull)
        {
            HandOver(); // under a storm the ring never runs dry, so a batch has no end: hand over by size
        }

        return true;
    }

    /// <summary>A hook event encoded straight from its sample (see <see cref="EventBus.TryPublishHook"/>).</summary>
    public HookDelivery TryDeliverHook(in HookSample sample)
    {
        if (!Filter.IsAllowAll || !Fields.IsEmpty)
        {
            return HookDelivery.NotEncoded; // the lists and the field filters work on the message
        }

        if (!UnderRateLimit())
        {
            return HookDelivery.RateLimited;
        }

        if (!HasRoom())
        {
            return HookDelivery.Dropped;
        }

        if (!encoder.TryWriteHook(sample, staged.NextLine()))
        {
            return HookDelivery.NotEncoded; // the partial line is dropped by the next NextLine
        }

        Stage();
        HookLines++;
        if (staged.IsFull)
        {
            HandOver();
        }

        return HookDelivery.Delivered;
    }

    private bool UnderRateLimit()
    {
        if (RateLimit is null || RateLimit.TryTake())
        {
            return true;
        }

        RateLimited.Value++; // one writer: the event thread
        return false;
    }

    /// <summary>Tetragon's <c>rate_limit_info</c>: how many events the rate limit kept out of the export since the last one.</summary>
    private void ReportRateLimit(bool force)
    {
        var dropped = RateLimit?.TakeReport(force) ?? 0;
        if (dropped == 0)
        {
            return;
        }

        var info = new GetEventsResponse
        {
            RateLimitInfo = new RateLimitInfo { NumberOfDroppedProcessEvents = dropped },
            NodeName = NodeName,
            Time = Timestamp.FromDateTimeOffset(RateLimit!.Now),
        };
        encoder.Write(info, staged.NextLine()); // past the queue's bound: one line a minute
        Stage();
    }

    private void Stage()
    {
        if (staged.Count == 0)
        {
            stagedSince = Environment.TickCount64;
        }

        staged.CommitLine();
    }

    /// <summary>Room for one more event, after waiting for the writer if the queue is full (see the class).</summary>
    private bool HasRoom()
    {
        if (staged.Count + Volatile.Read(ref queuedEvents) < capacity)
        {
            writerStalled = false;
            return true;
        }

        if (writerStalled)
        {
            return false;
        }

        HandOver(); // what is staged counts against the bound too: hand it over before waiting
        var deadline = Environment.TickCount64 + (long)fullWait.TotalMilliseconds;
        lock (gate)
        {
            while (queuedEvents >= capacity && !completed)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    writerStalled = true;
                    return false;
                }

                Monitor.Wait(gate, (int)left);
            }
        }

        return true;
    }

    /// <summary>
    /// The end of a batch: the chunk goes to the writer once its first line has waited
    /// <see cref="HoldMs"/>. At a few thousand events a second a batch holds a handful of lines;
    /// holding them a little longer saves the writer a wake-up and a write() per batch.
    /// </summary>
    public void Release()
    {
        ReportRateLimit(force: false);
        if (staged.Count > 0 && Environment.TickCount64 - stagedSince >= HoldMs)
        {
            HandOver();
        }
    }

    private void HandOver()
    {
        if (staged.Count == 0)
        {
            return;
        }

        lock (gate)
        {
            queued.Enqueue(staged);
            queuedEvents += staged.Count;
            staged = free.Count > 0 ? free.Pop() : new ExportChunk();
            Monitor.Pulse(gate);
        }
    }

    public void Complete()
    {
        ReportRateLimit(force: true); // what was refused since the last report is not lost from the count
        HandOver();
        lock (gate)
        {
            completed = true;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Writer thread: the next chunk, waiting for one; null once completed and drained.</summary>
    public ExportChunk? Take()
    {
        lock (gate)
        {
            while (queued.Count == 0 && !completed)
            {
                Monitor.Wait(gate);
            }

            return queued.Count > 0 ? queued.Dequeue() : null;
        }
    }

    /// <summary>Writer thread: a written chunk comes back for reuse; its events leave the bound.</summary>
    public void Return(ExportChunk chunk)
    {
        lock (gate)
        {
            queuedEvents -= chunk.Count;
            chunk.Clear();
            if (chunk.Capacity <= ExportChunk.KeepCapacity)
            {
                // While the writer is behind, every chunk is reused: a new one each time would be
                // large-object garbage that only a full collection returns.
                free.Push(chunk);
            }

            // Caught up: the backlog's chunks go back to the GC, a few stay for the next batches.
            while (queued.Count == 0 && free.Count > KeepFreeChunks)
            {
                free.Pop();
            }

            Monitor.PulseAll(gate); // an event thread may wait for room
        }
    }
}

internal enum HookDelivery
{
    Delivered,
    Dropped,

    /// <summary>An argument the sample path does not write (or text that needs escaping), or filter lists to apply: publish the message instead.</summary>
    NotEncoded,

    /// <summary>Over <c>--export-rate-limit</c>: counted, not exported, not a drop.</summary>
    RateLimited,
}

/// <summary>
/// Complete JSON lines back to back, with where each ends (rotation cuts between lines). A line
/// is encoded in place, after the last complete one, and counts once committed: the bytes the
/// event thread writes are the bytes the writer thread hands to write(2), with no copy between.
/// </summary>
internal sealed class ExportChunk
{
    /// <summary>A chunk this full goes to the writer without waiting for the end of the batch.</summary>
    public const int HandOverBytes = 192 * 1024;

    /// <summary>A chunk that grew past this (one huge line) is left to the GC rather than kept.</summary>
    public const int KeepCapacity = 1024 * 1024;

    // Reused through the queue's free list: a storm allocates no new chunks once it runs steady.
    private readonly Utf8LineWriter text = new(256 * 1024);
    private readonly List<int> ends = [];

    public int Count => ends.Count;

    public int Capacity => text.Capacity;

    public bool IsFull => LastEnd >= HandOverBytes;

    public ReadOnlySpan<byte> Bytes => text.Written[..LastEnd];

    private int LastEnd => ends.Count == 0 ? 0 : ends[^1];

    /// <summary>Where line i ends (its newline included), from the chunk's start.</summary>
    public int End(int i) => ends[i];

    /// <summary>Line i, newline included.</summary>
    public ReadOnlySpan<byte> Line(int i) => text.Written[(i == 0 ? 0 : ends[i - 1])..ends[i]];

    /// <summary>The writer of a new line; whatever an uncommitted line left after the last complete one is dropped.</summary>
    public Utf8LineWriter NextLine()
    {
        text.Truncate(LastEnd);
        return text;
    }

    /// <summary>What was written since <see cref="NextLine"/> is a complete line (its newline included).</summary>
    public void CommitLine() => ends.Add(text.Length);

    public void Add(ReadOnlySpan<byte> line)
    {
        NextLine().WriteUtf8(line);
        CommitLine();
    }

    public void Clear()
    {
        ends.Clear();
        text.Clear();
    }
}
