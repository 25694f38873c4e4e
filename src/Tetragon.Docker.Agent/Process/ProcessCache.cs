using System.Runtime.CompilerServices;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Tetragon's process cache: pid → current process image, with parent links kept alive
/// by reference counts. Bounded as Tetragon's is (--process-cache-size): past the bound, the
/// least recently used pids leave the table, and with them the exited ancestors only they held.
/// Owned by the event pipeline thread: no locking.
/// </summary>
internal sealed class ProcessCache(int capacity = ProcessCache.DefaultCapacity, StrongBox<long>? evicted = null)
{
    /// <summary>Tetragon's default --process-cache-size.</summary>
    public const int DefaultCapacity = 65536;

    private readonly Dictionary<uint, ProcessEntry> byPid = [];
    private readonly LinkedList<uint> recency = new(); // least recently used first
    private readonly StrongBox<long> evictions = evicted ?? new StrongBox<long>();
    private int entries;

    /// <summary>Live and referenced entries (the tetragon_process_cache_size metric).</summary>
    public int Size => Volatile.Read(ref entries);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "--process-cache-size must be positive");

    /// <summary>Pids evicted to keep within <see cref="Capacity"/> (tetragon_process_cache_evicted_total).</summary>
    public long Evicted => Interlocked.Read(ref evictions.Value);

    public int LivePids => byPid.Count;

    /// <summary>The pid's current image, marked as just used.</summary>
    public ProcessEntry? Get(uint pid)
    {
        if (!byPid.TryGetValue(pid, out var entry))
        {
            return null;
        }

        Touch(entry.RecencyNode!);
        return entry;
    }

    /// <summary>
    /// Every entry: each live pid's image, then the exited ancestors that children still hold
    /// (each once). For GetDebug's dump of the process cache.
    /// </summary>
    public List<ProcessEntry> Entries()
    {
        var entries = new List<ProcessEntry>(byPid.Values);
        var seen = new HashSet<ProcessEntry>(entries, ReferenceEqualityComparer.Instance);
        foreach (var live in byPid.Values)
        {
            for (var up = live.Parent; up is not null && seen.Add(up); up = up.Parent)
            {
                entries.Add(up);
            }
        }

        return entries;
    }

    /// <summary>The pids with a current image (a copy: the cache may change while it is used).</summary>
    public uint[] Pids() => [.. byPid.Keys];

    /// <summary>Adds the new image of <paramref name="pid"/> (exec, clone or /proc scan), replacing the previous one.</summary>
    public ProcessEntry Add(uint pid, Api.Process process, ProcessEntry? parent, ulong cgroupId) =>
        Add(pid, new ProcessEntry(process, parent, cgroupId));

    /// <summary>Adds a forked child, whose image <paramref name="build"/> makes when first asked for.</summary>
    public ProcessEntry AddClone(uint pid, Func<Api.Process> build, ProcessEntry parent, ulong cgroupId) =>
        Add(pid, new ProcessEntry(pid, build, parent, cgroupId));

    private ProcessEntry Add(uint pid, ProcessEntry entry)
    {
        if (entry.Parent is { } parent)
        {
            parent.Refs++;
        }

        if (byPid.Remove(pid, out var previous))
        {
            entry.RecencyNode = previous.RecencyNode;
            previous.RecencyNode = null;
            Touch(entry.RecencyNode!);
            Release(previous);
        }
        else
        {
            entry.RecencyNode = recency.AddLast(pid);
        }

        byPid[pid] = entry;
        Interlocked.Increment(ref entries);
        EvictPastCapacity();
        return entry;
    }

    /// <summary>The process exited: it leaves the pid table; its entry lives while children reference it.</summary>
    public ProcessEntry? Exit(uint pid)
    {
        if (!byPid.Remove(pid, out var entry))
        {
            return null;
        }

        recency.Remove(entry.RecencyNode!);
        entry.RecencyNode = null;
        Release(entry);
        return entry;
    }

    private void Touch(LinkedListNode<uint> node)
    {
        if (node != recency.Last)
        {
            recency.Remove(node);
            recency.AddLast(node);
        }
    }

    /// <summary>
    /// Evicts the least recently used pids until the entries, exited ancestors included, fit. The
    /// newest pid stays: its event is being built. If its ancestry alone is past the bound (a
    /// process that double-forks forever), the ancestors beyond the bound are cut off.
    /// </summary>
    private void EvictPastCapacity()
    {
        while (Size > Capacity && recency.First is { } oldest && oldest != recency.Last)
        {
            Exit(oldest.Value);
            Interlocked.Increment(ref evictions.Value);
        }

        if (Size > Capacity && recency.Last is { } newest)
        {
            var keep = byPid[newest.Value];
            for (var depth = 1; depth < Capacity && keep.Parent is not null; depth++)
            {
                keep = keep.Parent;
            }

            if (keep.DetachParent() is { } cut)
            {
                Release(cut);
                Interlocked.Increment(ref evictions.Value);
            }
        }
    }

    private void Release(ProcessEntry entry)
    {
        for (var current = entry; current is not null; current = current.Parent)
        {
            if (--current.Refs > 0)
            {
                return;
            }

            Interlocked.Decrement(ref entries);
        }
    }
}
