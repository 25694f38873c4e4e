namespace Tetragon.Docker.Agent.Docker;

/// <summary>cgroup id (from BPF) → container. Never blocks: the event pipeline calls it per exec.</summary>
public interface IContainerResolver
{
    /// <param name="cgroupPath">The end of the cgroup's path as BPF saw it ("/docker/&lt;id&gt;"), when known:
    /// it names the container even after its directory is gone.</param>
    ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null);
}
