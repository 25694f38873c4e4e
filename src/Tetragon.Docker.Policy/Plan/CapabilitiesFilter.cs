namespace Tetragon.Docker.Policy.Plan;

/// <param name="Capabilities">Capability numbers (CAP_SYS_ADMIN = 21).</param>
/// <param name="Mask">The same capabilities as a kernel_cap_t bit mask.</param>
public sealed record CapabilitiesFilter(CapabilitySet Set, SetOperator Operator, bool IsNamespaceCapability, IReadOnlyList<int> Capabilities, ulong Mask);
