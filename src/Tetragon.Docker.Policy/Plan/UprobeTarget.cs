namespace Tetragon.Docker.Policy.Plan;

public sealed record UprobeTarget(string Path, IReadOnlyList<string> Symbols, IReadOnlyList<ulong> Offsets, IReadOnlyList<ulong> RefCtrOffsets) : HookTarget
{
    public override string DisplayName => Path + " " + string.Join(",", Symbols.Count > 0 ? Symbols : Offsets.Select(o => "0x" + o.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
}
