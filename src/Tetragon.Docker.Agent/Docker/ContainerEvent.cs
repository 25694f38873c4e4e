namespace Tetragon.Docker.Agent.Docker;

/// <summary>One container event from the Engine API's /events stream (create, start, die, destroy, rename, ...).</summary>
public sealed record ContainerEvent(string Action, string ContainerId, string? Name);
