namespace Tetragon.Docker.Policy.Plan;

/// <summary>A need of one hook: the kernel must have at least one feature of <see cref="AnyOf"/>.</summary>
public sealed record KernelRequirement(KernelFeature AnyOf, string Reason)
{
    public bool IsMetBy(KernelFeature available) => (AnyOf & available) != KernelFeature.None;

    public string Describe() =>
        string.Join(" or ", Enum.GetValues<KernelFeature>().Where(f => f != KernelFeature.None && AnyOf.HasFlag(f)).Select(Name))
        + " (for " + Reason + ")";

    public static string Name(KernelFeature feature) => feature switch
    {
        KernelFeature.Kprobe => "kprobes",
        KernelFeature.Kretprobe => "kretprobes",
        KernelFeature.KprobeOverride => "bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE)",
        KernelFeature.FmodRet => "fmod_ret trampolines",
        KernelFeature.Tracepoint => "tracepoints",
        KernelFeature.Uprobe => "uprobes",
        KernelFeature.BpfLsm => "BPF LSM (CONFIG_BPF_LSM, lsm=...,bpf)",
        KernelFeature.SendSignal => "bpf_send_signal (Linux 5.3+)",
        KernelFeature.StackTrace => "bpf_get_stack",
        KernelFeature.LargeBuffers => "large BPF programs (Linux 5.4+)",
        _ => feature.ToString(),
    };
}
