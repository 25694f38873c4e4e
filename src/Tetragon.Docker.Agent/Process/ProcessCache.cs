namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Tetragon's process cache: pid → current process image, with parent links kept alive
/// by reference counts. Owned by the event pipeline thread: no locking.
/// </summary>
internal sealed class ProcessCache
{
    private readonly Dictionary<uint, ProcessEntry> byPid = [];
    private int entries;

    /// <summary>Live and referenced entries (the tetragon_process_cache_size metric).</summary>
    public int Size => Volatile.Read(ref entries);

    public int LivePids => byPid.Count;

    public ProcessEntry? Get(uint pid) => byPid.GetValueOrDefault(pid);

    /// <summary>The pids with a current image (a copy: the cache may change while it is used).</summary>
    public uint[] Pids() => [.. byPid.Keys];

    /// <summary>Adds the new image of <paramref name="pid"/> (exec, clone or /proc scan), replacing the previous one.</summary>
    public ProcessEntry Add(uint pid, Api.Process process, ProcessEntry? parent, ulong cgroupId)
    {
        var entry = new ProcessEntry(process, parent, cgroupId);
        if (parent is not null)
        {
            parent.Refs++;
        }

        if (byPid.Remove(pid, out var previous))
        {
            Release(previous);
        }

        byPid[pid] = entry;
        Interlocked.Increment(ref entries);
        return entry;
    }

    /// <summary>The process exited: it leaves the pid table; its entry lives while children reference it.</summary>
    public ProcessEntry? Exit(uint pid)
    {
        if (!byPid.Remove(pid, out var entry))
        {
            return null;
        }

        Release(entry);
        return entry;
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
