namespace Tetragon.Docker.Agent.Docker;

/// <summary>What the Docker Engine API says about a container, as events carry it.</summary>
public sealed record ContainerInfo(
    string Id,
    string Name,
    string ImageName,
    string ImageId,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset? StartTime,
    uint? Pid,
    bool Privileged = false);
