namespace Tetragon.Docker.Policy.Model;

public sealed record OptionSpec
{
    public string Name { get; init; } = string.Empty;

    public string Value { get; init; } = string.Empty;
}
