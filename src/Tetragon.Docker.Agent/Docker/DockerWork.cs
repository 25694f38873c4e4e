namespace Tetragon.Docker.Agent.Docker;

/// <summary>One item for the Docker watcher's single queue: an engine event, or a metadata fetch the resolver asked for.</summary>
internal abstract record DockerWork
{
    public sealed record Fetch(string ContainerId) : DockerWork;

    public sealed record Event(ContainerEvent Container) : DockerWork;

    public sealed record StreamEnded(Exception? Error) : DockerWork;
}
