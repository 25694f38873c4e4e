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

    /// <summary>policy-mode: from spec.options at load, changed by ConfigureTracingPolicy.</summary>
    public PolicyMode Mode { get; set; } = plan.Mode;

    /// <summary>Sigkill, Signal or Override somewhere: only such a policy has a mode to change (else monitor only, as Tetragon says).</summary>
    public bool Enforces { get; } = plan.Hooks.Any(h => h.Selectors.Any(s => s.Actions.Any(a => a.Kind is ActionKind.Sigkill or ActionKind.Signal or ActionKind.Override)));
}
