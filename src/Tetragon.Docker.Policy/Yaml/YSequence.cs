namespace Tetragon.Docker.Policy.Yaml;

internal sealed class YSequence(SourcePosition start) : YNode(start)
{
    public List<YNode> Items { get; } = [];

    public override string KindName => "list";
}
