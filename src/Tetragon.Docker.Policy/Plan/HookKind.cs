namespace Tetragon.Docker.Policy.Plan;

public enum HookKind
{
    /// <summary>A kprobe on a syscall entry (<c>__x64_sys_*</c>).</summary>
    Syscall,

    /// <summary>A kprobe on any other kernel function.</summary>
    KernelFunction,

    Tracepoint,
    Uprobe,

    /// <summary>A BPF LSM hook.</summary>
    Lsm,
}
