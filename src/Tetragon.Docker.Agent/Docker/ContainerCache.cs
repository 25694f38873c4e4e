using System.Collections.Concurrent;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// container id → what the Engine API said about it. Written by <see cref="DockerWatcher"/>,
/// read by <see cref="DockerContainerResolver"/> on the pipeline thread.
/// </summary>
internal sealed class ContainerCache
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    private readonly ConcurrentDictionary<string, ContainerInfo> containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> fetching = new(StringComparer.Ordinal);
    private long version;

    public int Count => containers.Count;

    /// <summary>What a container id alone can say: used while the Engine API cannot be reached.</summary>
    public static ContainerInfo IdOnly(string containerId) => new(containerId, "", "", "", NoLabels, null, null);

    public bool TryGet(string containerId, out ContainerInfo info) => containers.TryGetValue(containerId, out info!);

    /// <summary>Counts the changes of metadata (for policies scoped to containers).</summary>
    public long Version => Interlocked.Read(ref version);

    public void Set(ContainerInfo info)
    {
        containers[info.Id] = info;
        fetching.TryRemove(info.Id, out _);
        Interlocked.Increment(ref version);
    }

    /// <summary>Replaces everything with a fresh listing (after a (re)connect, events may have been missed).</summary>
    public void ReplaceAll(IEnumerable<ContainerInfo> infos)
    {
        var fresh = infos.ToDictionary(i => i.Id, StringComparer.Ordinal);
        foreach (var id in containers.Keys)
        {
            if (!fresh.ContainsKey(id))
            {
                containers.TryRemove(id, out _);
            }
        }

        foreach (var info in fresh.Values)
        {
            Set(info);
        }

        fetching.Clear();
    }

    /// <summary>The metadata is stale (the container started again, or was renamed): fetch before use.</summary>
    public void Invalidate(string containerId)
    {
        containers.TryRemove(containerId, out _);
        Interlocked.Increment(ref version);
    }

    /// <summary>The container stopped: it keeps its name, image and labels for late events, but no longer has a pid.</summary>
    public void MarkStopped(string containerId)
    {
        if (containers.TryGetValue(containerId, out var info) && info.Pid is not null)
        {
            containers.TryUpdate(containerId, info with { Pid = null }, info);
        }
    }

    public void Remove(string containerId)
    {
        containers.TryRemove(containerId, out _);
        fetching.TryRemove(containerId, out _);
        Interlocked.Increment(ref version);
    }

    /// <summary>True when the caller should queue a fetch (none is in flight for this id).</summary>
    public bool BeginFetch(string containerId) => fetching.TryAdd(containerId, 0);

    /// <summary>A fetch ended without metadata (not found, or the API failed): allow another one later.</summary>
    public void EndFetch(string containerId) => fetching.TryRemove(containerId, out _);

    public void ClearFetches() => fetching.Clear();
}
