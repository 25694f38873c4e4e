using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>A hook in the kernel: what the event decoder needs to turn its messages into events.</summary>
/// <param name="Symbol">For uprobes: the symbol this hook id is attached to.</param>
internal sealed record ActiveHook(uint Id, string PolicyName, HookPlan Plan, EncodedHook Encoded, string? Symbol)
{
    public string FunctionName => Plan.Target switch
    {
        SyscallTarget s => s.KernelSymbol,
        _ => Plan.Target.DisplayName,
    };

    /// <summary>Some selector has GetUrl or DnsLookup, which user space takes (computed once, read per event).</summary>
    public bool HasUserSpaceActions { get; } = UserSpaceActions.Wanted(Plan);
}
