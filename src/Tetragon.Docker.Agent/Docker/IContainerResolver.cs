namespace Tetragon.Docker.Agent.Docker;

/// <summary>cgroup id (from BPF) → container. Never blocks: the event pipeline calls it per exec.</summary>
public interface IContainerResolver
{
    /// <param name="cgroupPath">The end of the cgroup's path as BPF saw it ("/docker/&lt;id&gt;"), when known:
    /// it names the container even after its directory is gone.</param>
    ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null);

    /// <summary>The containers' cgroups known now: cgroup id → container id (every cgroup of a container's tree).</summary>
    IEnumerable<KeyValuePair<ulong, string>> ContainerCgroups => [];

    /// <summary>Changes whenever <see cref="ContainerCgroups"/> or a container's metadata may have.</summary>
    long Version => 0;

    /// <summary>Raised (on the watcher's thread) after the caches changed: a prompt look, before any timer.</summary>
    event Action? Changed
    {
        add { }
        remove { }
    }

    /// <summary>A container's name, image and labels, when known now (no fetch).</summary>
    bool TryGetContainer(string containerId, out ContainerInfo? info)
    {
        info = null;
        return false;
    }

    /// <summary>Asks for the container cgroups to be listed again soon.</summary>
    void RequestCgroupScan()
    {
    }
}
