using Tetragon.Docker.Bpf;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// What this agent can run on this kernel, per hook: syscall kprobes run on the raw syscall
/// tracepoints (so they need no kprobes), kernel-function kprobes on kprobes where the kernel
/// has them, tracepoints and uprobes natively. Hooks that refuse (Override) and lsmhooks run
/// as trampoline programs (fmod_ret, BPF LSM); a kernel that refuses those says so at load,
/// which is the only true probe of them.
/// </summary>
internal static class EngineSupport
{
    public static KernelFeature Available(KernelFeatures kernel, HookPlan hook)
    {
        // bpf_get_stack (kernelStackTrace) serves every program type the engine loads.
        var common = KernelFeature.Tracepoint | KernelFeature.LargeBuffers | KernelFeature.StackTrace | (kernel.SendSignal ? KernelFeature.SendSignal : KernelFeature.None);
        if (Trampoline.Of(hook) is { } trampoline)
        {
            // The trampoline program stands in for the kprobe.
            return common | KernelFeature.Kprobe | KernelFeature.FmodRet
                | (trampoline.Lsm && kernel.BpfLsm ? KernelFeature.BpfLsm : KernelFeature.None);
        }

        return hook.Kind switch
        {
            // return: true comes from sys_exit.
            HookKind.Syscall => common | KernelFeature.Kprobe | KernelFeature.Kretprobe,
            HookKind.Uprobe => common | (kernel.Uprobes ? KernelFeature.Uprobe : KernelFeature.None),
            HookKind.Tracepoint => common,
            HookKind.KernelFunction when kernel.Kprobes => common | KernelFeature.Kprobe | KernelFeature.Kretprobe,
            _ => KernelFeature.None,
        };
    }

    public static List<string> Check(PolicyPlan plan, KernelFeatures kernel)
    {
        var problems = new List<string>();
        foreach (var hook in plan.Hooks)
        {
            var where = $"policy \"{plan.Name}\": {hook.SourcePath} ({hook.Target.DisplayName})";
            switch (hook.Kind)
            {
                case HookKind.KernelFunction when !kernel.Kprobes && Trampoline.Of(hook) is null:
                    problems.Add($"{where} needs kprobes, which this kernel lacks (CONFIG_KPROBES is off): only syscall: true kprobes, tracepoints, uprobes and hooks that Override run here");
                    continue;
                case HookKind.Tracepoint when hook.Target is TracepointTarget { Raw: true }:
                    problems.Add($"{where}: raw tracepoints are not supported by this agent (use a tracepoint with its format)");
                    continue;
                default:
                    break;
            }

            var available = Available(kernel, hook);
            foreach (var requirement in hook.Requirements.Where(r => !r.IsMetBy(available)))
            {
                problems.Add($"{where} needs {requirement.Describe()}, which this kernel lacks");
            }
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }
}
