namespace Tetragon.Docker.Policy.Model;

public sealed record KProbeArg
{
    public int Index { get; init; }

    /// <summary>Tetragon's type name (<c>int</c>, <c>string</c>, <c>file</c>, ...); <c>auto</c> when omitted.</summary>
    public string Type { get; init; } = "auto";

    /// <summary>1-based position of the argument holding this buffer's size; 0 when unset.</summary>
    public int SizeArgIndex { get; init; }

    public bool ReturnCopy { get; init; }

    public bool MaxData { get; init; }

    public string? Label { get; init; }
}
