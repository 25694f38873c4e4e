namespace Tetragon.Docker.Agent.Docker;

/// <summary>cgroup id (from BPF) → container. Never blocks: the event pipeline calls it per exec.</summary>
public interface IContainerResolver
{
    ContainerResolution Resolve(ulong cgroupId);
}
