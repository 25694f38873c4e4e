namespace Tetragon.Docker.Agent.Policy;

/// <summary>One <c>field:</c> line of a tracepoint's format file.</summary>
/// <param name="Declaration">The C declaration without the name, e.g. <c>const char *</c> or <c>__data_loc char[]</c>.</param>
internal sealed record TracepointField(string Declaration, string Name, int Offset, int Size, bool Signed)
{
    public bool IsDataLoc => Declaration.StartsWith("__data_loc", StringComparison.Ordinal);

    public bool IsCharPointer => Declaration.Replace(" ", "", StringComparison.Ordinal).EndsWith("char*", StringComparison.Ordinal);

    public bool IsArray => Declaration.Contains('[', StringComparison.Ordinal) && !IsDataLoc;
}
