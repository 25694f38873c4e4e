using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Where in its binary a uprobe hook id is attached: a symbol, or a file offset (Tetragon's
/// `offsets`); and the file offset of its USDT semaphore (`refCtrOffsets`), which the kernel
/// counts up while the probe is attached; 0: none.
/// </summary>
internal sealed record UprobeSite(string? Symbol, ulong Offset, ulong RefCtrOffset = 0)
{
    public override string ToString() => Symbol ?? "0x" + Offset.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A hook in the kernel: what the event decoder needs to turn its messages into events.</summary>
/// <param name="Site">For uprobes: the symbol or offset this hook id is attached to.</param>
internal sealed record ActiveHook(uint Id, string PolicyName, HookPlan Plan, EncodedHook Encoded, UprobeSite? Site)
{
    public string? Symbol => Site?.Symbol;

    public string FunctionName => Plan.Target switch
    {
        SyscallTarget s => s.KernelSymbol,
        _ => Plan.Target.DisplayName,
    };

    /// <summary>Some selector has GetUrl or DnsLookup, which user space takes (computed once, read per event).</summary>
    public bool HasUserSpaceActions { get; } = UserSpaceActions.Wanted(Plan);
}
