using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// A hook that runs as a BPF trampoline program, able to refuse the operation (Override): a
/// BPF LSM program on an lsmhook, an fmod_ret program on a kernel function or a syscall whose
/// selectors override (a kprobe cannot: Debian's kernels build without bpf_override_return).
/// </summary>
/// <param name="Lsm">An LSM program (else fmod_ret).</param>
/// <param name="Function">The attach target: the LSM hook's name, or the kernel function.</param>
/// <param name="SyscallRegs">The function is a syscall entry: its one argument is the user's registers.</param>
internal sealed record Trampoline(bool Lsm, string Function, bool SyscallRegs = false)
{
    public static Trampoline? Of(HookPlan plan) => plan.Target switch
    {
        LsmTarget lsm => new Trampoline(true, lsm.Hook),
        KernelFunctionTarget fn when Overrides(plan) => new Trampoline(false, fn.Symbol),
        SyscallTarget sc when Overrides(plan) => new Trampoline(false, sc.KernelSymbol, SyscallRegs: true),
        _ => null,
    };

    /// <summary>What needs it, for errors: "lsmhooks" or "action Override".</summary>
    public string Purpose => Lsm ? "lsmhooks" : "action Override";

    public static bool Overrides(HookPlan plan) => plan.Selectors.Any(s => s.Actions.Any(a => a.Kind == ActionKind.Override));
}
