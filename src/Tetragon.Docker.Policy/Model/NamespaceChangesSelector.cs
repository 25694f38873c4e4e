namespace Tetragon.Docker.Policy.Model;

public sealed record NamespaceChangesSelector
{
    public string Operator { get; init; } = string.Empty;

    /// <summary>Namespace kinds such as <c>Mnt</c>, <c>Pid</c>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
}
