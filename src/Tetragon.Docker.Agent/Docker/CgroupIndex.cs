using System.Collections.Concurrent;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// cgroup id (the inode of a directory in the cgroup2 hierarchy, as BPF reports it) → container id.
/// A full walk at start learns every cgroup and which directories hold containers (/docker,
/// /system.slice, ...); later refreshes list only those directories, and a full walk again at most
/// once per <see cref="MinFullScanInterval"/> while a cgroup id stays unknown. A cgroup id still
/// unknown after a full walk that started after it was first seen is a host cgroup.
/// Lookups are dictionary reads; scans run on one background thread.
/// </summary>
internal sealed class CgroupIndex
{
    public static readonly TimeSpan MinFullScanInterval = TimeSpan.FromSeconds(1);

    private const int MaxDepth = 16;
    private static readonly string[] DefaultParents = ["/docker", "/system.slice"];

    private readonly string? root;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<ulong, DateTimeOffset> misses = new();
    private readonly ConcurrentDictionary<string, byte> parents = new(StringComparer.Ordinal);
    private volatile ConcurrentDictionary<ulong, string> containers = new();
    private volatile ConcurrentDictionary<ulong, byte> hosts = new();
    private DateTimeOffset lastFullScan = DateTimeOffset.MinValue;
    private int scanRequested;
    private long version;

    public CgroupIndex(string? root, TimeProvider time)
    {
        this.root = root?.TrimEnd('/');
        this.time = time;
        foreach (var parent in DefaultParents)
        {
            parents.TryAdd(parent, 0);
        }
    }

    /// <summary>False when no cgroup2 hierarchy is mounted: every process is then a host process.</summary>
    public bool Available => root is not null;

    public int ContainerCgroups => containers.Count;

    public int HostCgroups => hosts.Count;

    public int Misses => misses.Count;

    public long FullScans { get; private set; }

    /// <summary>Counts the changes to the container cgroups (for policies scoped to containers).</summary>
    public long Version => Interlocked.Read(ref version);

    /// <summary>cgroup id → container id, for every container cgroup known now.</summary>
    public IEnumerable<KeyValuePair<ulong, string>> Containers => containers;

    public CgroupLookup Lookup(ulong cgroupId, out string? containerId)
    {
        if (containers.TryGetValue(cgroupId, out containerId))
        {
            return CgroupLookup.Container;
        }

        return hosts.ContainsKey(cgroupId) ? CgroupLookup.Host : CgroupLookup.Unknown;
    }

    /// <summary>Records a cgroup id whose container is known from elsewhere (the name BPF read).</summary>
    public void Learn(ulong cgroupId, string containerId)
    {
        containers[cgroupId] = containerId;
        misses.TryRemove(cgroupId, out _);
        Interlocked.Increment(ref version);
    }

    /// <summary>Remembers an unknown cgroup id for the next <see cref="Refresh"/>.</summary>
    public void NoteMiss(ulong cgroupId) => misses.TryAdd(cgroupId, time.GetUtcNow());

    /// <summary>Asks the next <see cref="Refresh"/> to list the container directories (a container started).</summary>
    public void RequestScan() => Interlocked.Exchange(ref scanRequested, 1);

    /// <summary>Walks the whole hierarchy and replaces what is known.</summary>
    public void FullScan()
    {
        if (root is null)
        {
            return;
        }

        var newContainers = new ConcurrentDictionary<ulong, string>();
        var newHosts = new ConcurrentDictionary<ulong, byte>();
        if (FileInode.TryGet(root, out var rootId))
        {
            newHosts.TryAdd(rootId, 0);
        }

        Walk(root, "", 0, null, newContainers, newHosts);
        containers = newContainers;
        hosts = newHosts;
        lastFullScan = time.GetUtcNow();
        FullScans++;
        Interlocked.Increment(ref version);
    }

    /// <summary>Lists only the directories known to hold containers; adds, never removes.</summary>
    public void ScanContainerParents()
    {
        if (root is null)
        {
            return;
        }

        foreach (var parent in parents.Keys)
        {
            foreach (var (name, path) in Subdirectories(root + parent))
            {
                var relative = parent + "/" + name;
                if (CgroupPathParser.IsContainerDirectory(name) && CgroupPathParser.ContainerIdOf(relative) is { } id)
                {
                    AddContainerTree(path, relative, id, containers);
                }
            }
        }

        Interlocked.Increment(ref version);
    }

    /// <summary>
    /// Resolves the noted misses and pending scan requests. Returns when to call again
    /// (misses remain and a full walk is rate-limited), or null when nothing is left.
    /// </summary>
    public TimeSpan? Refresh()
    {
        var requested = Interlocked.Exchange(ref scanRequested, 0) == 1;
        if (misses.IsEmpty && !requested)
        {
            return null;
        }

        ScanContainerParents();
        DropResolvedMisses(DateTimeOffset.MinValue);
        if (misses.IsEmpty)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var sinceFull = now - lastFullScan;
        if (sinceFull < MinFullScanInterval)
        {
            return MinFullScanInterval - sinceFull;
        }

        FullScan();
        DropResolvedMisses(now);
        return misses.IsEmpty ? null : MinFullScanInterval;
    }

    /// <summary>The container is gone (destroyed): its cgroup ids are no longer its own.</summary>
    public void Forget(string containerId)
    {
        foreach (var (cgroupId, id) in containers)
        {
            if (id == containerId)
            {
                containers.TryRemove(cgroupId, out _);
            }
        }

        Interlocked.Increment(ref version);
    }

    private void DropResolvedMisses(DateTimeOffset fullScanStart)
    {
        foreach (var (cgroupId, firstSeen) in misses)
        {
            if (containers.ContainsKey(cgroupId) || hosts.ContainsKey(cgroupId))
            {
                misses.TryRemove(cgroupId, out _);
            }
            else if (firstSeen <= fullScanStart)
            {
                // Not anywhere in a walk that started after it was seen: not a container's cgroup.
                hosts.TryAdd(cgroupId, 0);
                misses.TryRemove(cgroupId, out _);
            }
        }
    }

    private void Walk(string path, string relative, int depth, string? containerId, ConcurrentDictionary<ulong, string> toContainers, ConcurrentDictionary<ulong, byte> toHosts)
    {
        if (depth >= MaxDepth)
        {
            return;
        }

        foreach (var (name, child) in Subdirectories(path))
        {
            var childRelative = relative + "/" + name;
            var childContainer = containerId;
            if (childContainer is null && CgroupPathParser.IsContainerDirectory(name))
            {
                childContainer = CgroupPathParser.ContainerIdOf(childRelative);
                if (childContainer is not null)
                {
                    parents.TryAdd(relative.Length == 0 ? "/" : relative, 0);
                }
            }

            if (!FileInode.TryGet(child, out var cgroupId))
            {
                continue;
            }

            if (childContainer is null)
            {
                toHosts.TryAdd(cgroupId, 0);
            }
            else
            {
                toContainers[cgroupId] = childContainer;
            }

            Walk(child, childRelative, depth + 1, childContainer, toContainers, toHosts);
        }
    }

    private void AddContainerTree(string path, string relative, string containerId, ConcurrentDictionary<ulong, string> toContainers)
    {
        if (FileInode.TryGet(path, out var cgroupId))
        {
            toContainers[cgroupId] = containerId;
        }

        Walk(path, relative, 1, containerId, toContainers, hosts);
    }

    private static IEnumerable<(string Name, string Path)> Subdirectories(string path)
    {
        string[] children;
        try
        {
            children = Directory.GetDirectories(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cgroup removed while we walk it, or a parent that does not exist on this host.
            yield break;
        }

        foreach (var child in children)
        {
            yield return (System.IO.Path.GetFileName(child), child);
        }
    }
}
