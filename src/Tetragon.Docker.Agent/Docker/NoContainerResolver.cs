namespace Tetragon.Docker.Agent.Docker;

/// <summary>Used when Docker enrichment is off: every process is a host process.</summary>
internal sealed class NoContainerResolver : IContainerResolver
{
    public ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null) => ContainerResolution.Host;
}
