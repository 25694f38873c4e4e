using Tetragon.Docker.Bpf;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// What this agent can run on this kernel, per hook kind: syscall kprobes run on the raw
/// syscall tracepoints (so they need no kprobes), tracepoints and uprobes natively;
/// kernel-function kprobes and LSM hooks are refused here, naming the missing feature.
/// </summary>
internal static class EngineSupport
{
    public static KernelFeature Available(KernelFeatures kernel, HookKind kind)
    {
        var common = KernelFeature.Tracepoint | KernelFeature.LargeBuffers | (kernel.SendSignal ? KernelFeature.SendSignal : KernelFeature.None);
        return kind switch
        {
            // return: true comes from sys_exit; Override would need bpf_override_return / fmod_ret.
            HookKind.Syscall => common | KernelFeature.Kprobe | KernelFeature.Kretprobe,
            HookKind.Uprobe => common | (kernel.Uprobes ? KernelFeature.Uprobe : KernelFeature.None),
            HookKind.Tracepoint => common,
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
                case HookKind.KernelFunction:
                    problems.Add(kernel.Kprobes
                        ? $"{where}: kprobes on kernel functions are not implemented by this agent yet (only syscall: true kprobes)"
                        : $"{where} needs kprobes, which this kernel lacks (CONFIG_KPROBES is off): only syscall: true kprobes, tracepoints and uprobes run here");
                    continue;
                case HookKind.Lsm:
                    problems.Add($"{where} needs BPF LSM programs, which this kernel refuses (lsm/fentry/fmod_ret programs fail to load with EPERM)");
                    continue;
                case HookKind.Tracepoint when hook.Target is TracepointTarget { Raw: true }:
                    problems.Add($"{where}: raw tracepoints are not supported by this agent (use a tracepoint with its format)");
                    continue;
                default:
                    break;
            }

            var available = Available(kernel, hook.Kind);
            foreach (var requirement in hook.Requirements.Where(r => !r.IsMetBy(available)))
            {
                problems.Add($"{where} needs {requirement.Describe()}, which this kernel lacks");
            }
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }
}
