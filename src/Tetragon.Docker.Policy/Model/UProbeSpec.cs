namespace Tetragon.Docker.Policy.Model;

public sealed record UProbeSpec
{
    public string Path { get; init; } = string.Empty;

    public IReadOnlyList<string> Symbols { get; init; } = [];

    public IReadOnlyList<ulong> Offsets { get; init; } = [];

    public IReadOnlyList<ulong> RefCtrOffsets { get; init; } = [];

    public string? Message { get; init; }

    public IReadOnlyList<KProbeArg> Args { get; init; } = [];

    public bool Return { get; init; }

    public KProbeArg? ReturnArg { get; init; }

    public IReadOnlyList<KProbeSelector> Selectors { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}
