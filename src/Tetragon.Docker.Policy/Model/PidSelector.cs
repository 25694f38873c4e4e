namespace Tetragon.Docker.Policy.Model;

public sealed record PidSelector
{
    public string Operator { get; init; } = string.Empty;

    public IReadOnlyList<uint> Values { get; init; } = [];

    public bool IsNamespacePid { get; init; }

    public bool FollowForks { get; init; }
}
