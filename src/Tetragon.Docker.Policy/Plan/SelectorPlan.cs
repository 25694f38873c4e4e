namespace Tetragon.Docker.Policy.Plan;

/// <summary>One compiled selector: all filters must match (AND); a hook's selectors are ORed.</summary>
public sealed record SelectorPlan
{
    public required int Index { get; init; }

    public IReadOnlyList<ArgFilter> MatchArgs { get; init; } = [];

    public IReadOnlyList<ArgFilter> MatchReturnArgs { get; init; } = [];

    public IReadOnlyList<PidFilter> MatchPids { get; init; } = [];

    public IReadOnlyList<BinaryFilter> MatchBinaries { get; init; } = [];

    public IReadOnlyList<NamespaceFilter> MatchNamespaces { get; init; } = [];

    public IReadOnlyList<NamespaceChangesFilter> MatchNamespaceChanges { get; init; } = [];

    public IReadOnlyList<CapabilitiesFilter> MatchCapabilities { get; init; } = [];

    public IReadOnlyList<CapabilitiesFilter> MatchCapabilityChanges { get; init; } = [];

    public IReadOnlyList<ActionPlan> Actions { get; init; } = [];

    public IReadOnlyList<ActionPlan> ReturnActions { get; init; } = [];
}
