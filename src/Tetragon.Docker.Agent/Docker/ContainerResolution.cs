namespace Tetragon.Docker.Agent.Docker;

/// <summary>The answer for one cgroup id; <see cref="Pending"/> while its metadata is still being fetched.</summary>
public readonly record struct ContainerResolution(ContainerInfo? Container, bool Pending)
{
    public static ContainerResolution Host { get; } = new(null, false);
}
