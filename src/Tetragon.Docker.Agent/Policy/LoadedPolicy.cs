using Tetragon.Docker.Bpf;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>A policy in the kernel: its hooks, their links and routes.</summary>
internal sealed class LoadedPolicy(ulong id, PolicyPlan plan)
{
    public ulong Id { get; } = id;

    public PolicyPlan Plan { get; } = plan;

    public string Name => Plan.Name;

    public List<ActiveHook> Hooks { get; } = [];

    public List<BpfLink> Links { get; } = [];

    /// <summary>Objects loaded for this policy alone (trampoline hooks: one per hook), closed after its links.</summary>
    public List<BpfObject> Objects { get; } = [];

    public List<(int Nr, uint Hook)> Routes { get; } = [];

    public bool Enabled { get; set; } = true;
}
