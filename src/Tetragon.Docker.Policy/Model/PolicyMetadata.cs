namespace Tetragon.Docker.Policy.Model;

public sealed record PolicyMetadata
{
    public string Name { get; init; } = string.Empty;

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
