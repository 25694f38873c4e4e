namespace Tetragon.Docker.Policy.Model;

public sealed record BinarySelector
{
    public string Operator { get; init; } = string.Empty;

    public IReadOnlyList<string> Values { get; init; } = [];

    public bool FollowChildren { get; init; }
}
