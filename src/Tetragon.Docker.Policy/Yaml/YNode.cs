namespace Tetragon.Docker.Policy.Yaml;

/// <summary>A YAML node with the position where it starts.</summary>
internal abstract class YNode(SourcePosition start)
{
    public SourcePosition Start { get; } = start;

    public abstract string KindName { get; }
}
