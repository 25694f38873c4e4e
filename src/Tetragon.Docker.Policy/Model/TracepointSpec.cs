namespace Tetragon.Docker.Policy.Model;

public sealed record TracepointSpec
{
    public string Subsystem { get; init; } = string.Empty;

    public string Event { get; init; } = string.Empty;

    public bool Raw { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<KProbeArg> Args { get; init; } = [];

    public IReadOnlyList<KProbeSelector> Selectors { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}
