namespace Tetragon.Docker.Policy.Plan;

/// <summary>A port (<c>443</c>) or inclusive range (<c>1024:65535</c>).</summary>
public sealed record PortRangeValue(ushort First, ushort Last) : FilterValue;
