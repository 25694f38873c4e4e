namespace Tetragon.Docker.Policy.Model;

public sealed record LabelSelectorRequirement
{
    public string Key { get; init; } = string.Empty;

    /// <summary>In, NotIn, Exists or DoesNotExist.</summary>
    public string Operator { get; init; } = string.Empty;

    public IReadOnlyList<string> Values { get; init; } = [];
}
