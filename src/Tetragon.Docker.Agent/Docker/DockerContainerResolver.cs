using System.Threading.Channels;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// cgroup id → container, from two caches: the <see cref="CgroupIndex"/> (cgroup id → container id)
/// and the <see cref="ContainerCache"/> (container id → name, image, labels). Never blocks; what is
/// missing is asked of <see cref="DockerWatcher"/> through bounded queues:
/// <list type="bullet">
/// <item>an unknown cgroup id is <c>Pending</c> until the next cgroup refresh places it (container or host);</item>
/// <item>a container whose metadata is not cached is <c>Pending</c> until an Inspect returns;</item>
/// <item>while the Engine API cannot be reached, a container is answered at once with its id alone
///   (name and image empty) rather than Pending: events keep flowing and keep the <c>docker</c> field.</item>
/// </list>
/// </summary>
internal sealed class DockerContainerResolver : IContainerResolver
{
    public const int WorkQueueSize = 4096;

    private readonly Channel<DockerWork> work = Channel.CreateBounded<DockerWork>(
        new BoundedChannelOptions(WorkQueueSize) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    // A wake-up signal, not data: a dropped signal is covered by the one already queued.
    private readonly Channel<bool> cgroupSignal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly AgentCounters counters;
    private volatile bool dockerReachable;

    public DockerContainerResolver(CgroupIndex index, ContainerCache cache, AgentCounters counters)
    {
        Index = index;
        Cache = cache;
        this.counters = counters;
    }

    public CgroupIndex Index { get; }

    public ContainerCache Cache { get; }

    /// <summary>Set by the watcher: true after a successful listing, false from the first failure until the next.</summary>
    public bool DockerReachable
    {
        get => dockerReachable;
        set => dockerReachable = value;
    }

    public ChannelReader<DockerWork> Work => work.Reader;

    public IEnumerable<KeyValuePair<ulong, string>> ContainerCgroups => Index.Containers;

    public event Action? Changed;

    /// <summary>Called by the watcher after it changed the caches (an inspect answered, cgroups listed).</summary>
    public void NotifyChanged() => Changed?.Invoke();

    public long Version => Index.Version + Cache.Version;

    public bool TryGetContainer(string containerId, out ContainerInfo? info)
    {
        var found = Cache.TryGet(containerId, out var cached);
        info = found ? cached : null;
        return found;
    }

    public ChannelReader<bool> CgroupSignal => cgroupSignal.Reader;

    public ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null)
    {
        if (cgroupId <= 1 || !Index.Available)
        {
            return ContainerResolution.Host;
        }

        switch (Index.Lookup(cgroupId, out var containerId))
        {
            case CgroupLookup.Host:
                return ContainerResolution.Host;
            case CgroupLookup.Unknown when CgroupPathParser.ContainerIdOf(cgroupPath) is { } fromPath:
                // BPF named the cgroup: no need for its directory, which a short-lived container already removed.
                Index.Learn(cgroupId, fromPath);
                containerId = fromPath;
                break;
            case CgroupLookup.Unknown:
                Index.NoteMiss(cgroupId);
                cgroupSignal.Writer.TryWrite(true);
                return new ContainerResolution(null, Pending: true);
        }

        if (Cache.TryGet(containerId!, out var info))
        {
            return new ContainerResolution(info, Pending: false);
        }

        if (!DockerReachable)
        {
            return new ContainerResolution(ContainerCache.IdOnly(containerId!), Pending: false);
        }

        RequestFetch(containerId!);
        return new ContainerResolution(null, Pending: true);
    }

    /// <summary>Queues an Inspect of the container unless one is already queued.</summary>
    public void RequestFetch(string containerId)
    {
        if (Cache.BeginFetch(containerId) && !Post(new DockerWork.Fetch(containerId)))
        {
            Cache.EndFetch(containerId);
        }
    }

    /// <summary>An engine event, from the /events stream.</summary>
    public bool Post(DockerWork item)
    {
        if (work.Writer.TryWrite(item))
        {
            return true;
        }

        counters.Add(DockerCounters.WorkDropped);
        return false;
    }

    /// <summary>Asks the cgroup refresher to run (a container started: a new cgroup exists).</summary>
    public void RequestCgroupScan()
    {
        Index.RequestScan();
        cgroupSignal.Writer.TryWrite(true);
    }

    /// <summary>
    /// Applies an engine event to the caches. start: the container has a NEW cgroup (and pid and
    /// start time): rescan and refetch. die: keep the metadata for late events, drop the pid.
    /// destroy: forget it. rename: refetch.
    /// </summary>
    public void Apply(ContainerEvent e)
    {
        counters.Add(DockerCounters.Events);
        switch (e.Action)
        {
            case "create":
                RequestFetch(e.ContainerId);
                break;
            case "start":
                Cache.Invalidate(e.ContainerId);
                Cache.EndFetch(e.ContainerId);
                RequestFetch(e.ContainerId);
                RequestCgroupScan();
                break;
            case "rename":
                Cache.Invalidate(e.ContainerId);
                Cache.EndFetch(e.ContainerId);
                RequestFetch(e.ContainerId);
                break;
            case "die":
                Cache.MarkStopped(e.ContainerId);
                break;
            case "destroy":
                Cache.Remove(e.ContainerId);
                Index.Forget(e.ContainerId);
                break;
        }
    }
}
