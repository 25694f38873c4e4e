namespace Tetragon.Docker.Policy;

/// <summary>
/// One mistake in a policy, named by its field path (for example
/// <c>spec.kprobes[0].selectors[0].matchArgs[1].operator</c>) and, where known, its position.
/// </summary>
public sealed record PolicyError(string Path, string Message, int? Line, int? Column)
{
    public override string ToString() =>
        Line is { } line && Column is { } column
            ? $"{Path}: {Message} (line {line}, column {column})"
            : $"{Path}: {Message}";
}
