namespace Tetragon.Docker.Policy.Yaml;

internal sealed class YMapping(SourcePosition start) : YNode(start)
{
    public List<KeyValuePair<YNode, YNode>> Entries { get; } = [];

    public override string KindName => "mapping";
}
