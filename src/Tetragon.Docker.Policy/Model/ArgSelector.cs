namespace Tetragon.Docker.Policy.Model;

public sealed record ArgSelector
{
    /// <summary>The declared <c>args[].index</c> this filter reads; null when <see cref="Args"/> is used.</summary>
    public int? Index { get; init; }

    /// <summary>Several declared arg indexes the same filter applies to.</summary>
    public IReadOnlyList<int> Args { get; init; } = [];

    public string Operator { get; init; } = string.Empty;

    public IReadOnlyList<string> Values { get; init; } = [];
}
