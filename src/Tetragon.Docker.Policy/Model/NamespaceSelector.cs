namespace Tetragon.Docker.Policy.Model;

public sealed record NamespaceSelector
{
    public string Namespace { get; init; } = string.Empty;

    public string Operator { get; init; } = string.Empty;

    /// <summary>Namespace inode numbers, or <c>host_ns</c>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
}
