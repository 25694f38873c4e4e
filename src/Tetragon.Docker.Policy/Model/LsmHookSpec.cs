namespace Tetragon.Docker.Policy.Model;

public sealed record LsmHookSpec
{
    public string Hook { get; init; } = string.Empty;

    public string? Message { get; init; }

    public IReadOnlyList<KProbeArg> Args { get; init; } = [];

    public IReadOnlyList<KProbeSelector> Selectors { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}
