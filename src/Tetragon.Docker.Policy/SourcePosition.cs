namespace Tetragon.Docker.Policy;

/// <summary>A 1-based line and column in the policy source text.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}
