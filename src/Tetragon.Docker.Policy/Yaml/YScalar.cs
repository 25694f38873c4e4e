namespace Tetragon.Docker.Policy.Yaml;

internal sealed class YScalar(SourcePosition start, string value, bool isPlain) : YNode(start)
{
    public string Value { get; } = value;

    /// <summary>True when the scalar was written without quotes or block style.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>YAML's null: an empty or <c>~</c> / <c>null</c> plain scalar.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : IsPlain ? "scalar" : "string";
}
