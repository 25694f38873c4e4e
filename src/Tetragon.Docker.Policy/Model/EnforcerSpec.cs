namespace Tetragon.Docker.Policy.Model;

public sealed record EnforcerSpec
{
    public IReadOnlyList<string> Calls { get; init; } = [];
}
