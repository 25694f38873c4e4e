namespace Tetragon.Docker.Policy.Plan;

/// <summary>Kernel features a hook may need; the agent probes which ones the running kernel has.</summary>
[Flags]
public enum KernelFeature
{
    None = 0,

    /// <summary>kprobes (CONFIG_KPROBES, CONFIG_BPF_EVENTS).</summary>
    Kprobe = 1 << 0,

    /// <summary>kretprobes, for <c>return: true</c>.</summary>
    Kretprobe = 1 << 1,

    /// <summary>bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE), for Override on kprobes.</summary>
    KprobeOverride = 1 << 2,

    /// <summary>fmod_ret BPF trampolines, the alternative way to override a return value.</summary>
    FmodRet = 1 << 3,

    /// <summary>Tracepoints.</summary>
    Tracepoint = 1 << 4,

    /// <summary>uprobes / uretprobes.</summary>
    Uprobe = 1 << 5,

    /// <summary>BPF LSM (CONFIG_BPF_LSM and "bpf" in the lsm= boot list).</summary>
    BpfLsm = 1 << 6,

    /// <summary>bpf_send_signal (Linux 5.3+), for Sigkill / Signal.</summary>
    SendSignal = 1 << 7,

    /// <summary>bpf_get_stack, for kernelStackTrace / userStackTrace.</summary>
    StackTrace = 1 << 8,

    /// <summary>Large programs and buffers (Linux 5.4+), for maxData.</summary>
    LargeBuffers = 1 << 9,
}
