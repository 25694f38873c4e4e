namespace Tetragon.Docker.Policy.Model;

/// <summary>A Kubernetes-style label selector (podSelector, containerSelector).</summary>
public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; init; } = [];
}
