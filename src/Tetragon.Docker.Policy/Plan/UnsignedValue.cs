namespace Tetragon.Docker.Policy.Plan;

/// <summary>An unsigned number: also masks, protocols, families, states, capabilities and syscall numbers.</summary>
public sealed record UnsignedValue(ulong Value) : FilterValue;
