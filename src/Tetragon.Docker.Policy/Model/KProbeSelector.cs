namespace Tetragon.Docker.Policy.Model;

/// <summary>One selector: its filters are ANDed; a hook's selectors are ORed.</summary>
public sealed record KProbeSelector
{
    public IReadOnlyList<PidSelector> MatchPIDs { get; init; } = [];

    public IReadOnlyList<ArgSelector> MatchArgs { get; init; } = [];

    public IReadOnlyList<ActionSelector> MatchActions { get; init; } = [];

    public IReadOnlyList<ArgSelector> MatchReturnArgs { get; init; } = [];

    public IReadOnlyList<ActionSelector> MatchReturnActions { get; init; } = [];

    public IReadOnlyList<BinarySelector> MatchBinaries { get; init; } = [];

    public IReadOnlyList<NamespaceSelector> MatchNamespaces { get; init; } = [];

    public IReadOnlyList<NamespaceChangesSelector> MatchNamespaceChanges { get; init; } = [];

    public IReadOnlyList<CapabilitiesSelector> MatchCapabilities { get; init; } = [];

    public IReadOnlyList<CapabilitiesSelector> MatchCapabilityChanges { get; init; } = [];
}
