using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// One captured argument: its policy descriptor, how the kernel encodes it (GEN_TYPE_*) and its
/// place among the event's arguments (the policy's order; a returnCopy buffer takes the last slot
/// in the kernel, whose order differs then).
/// </summary>
internal sealed record GenericArg(ArgDescriptor Descriptor, byte KernelType, int Position);
