using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>One captured argument: its policy descriptor and how the kernel encodes it (GEN_TYPE_*).</summary>
internal sealed record GenericArg(ArgDescriptor Descriptor, byte KernelType);
