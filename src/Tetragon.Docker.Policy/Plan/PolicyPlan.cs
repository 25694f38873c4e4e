using Tetragon.Docker.Policy.Model;

namespace Tetragon.Docker.Policy.Plan;

/// <summary>A compiled TracingPolicy: every hook with typed filters and actions, and what the kernel must offer.</summary>
public sealed record PolicyPlan
{
    public required string Name { get; init; }

    public PolicyScope Scope { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyList<HookPlan> Hooks { get; init; } = [];

    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>spec.options policy-mode (enforce when absent).</summary>
    public PolicyMode Mode { get; init; }

    /// <summary>The option that sets <see cref="Mode"/>.</summary>
    public const string ModeOption = "policy-mode";

    public LabelSelector? PodSelector { get; init; }

    public LabelSelector? ContainerSelector { get; init; }

    /// <summary>
    /// Why this kernel cannot run the policy: one message per unmet requirement, naming the
    /// policy, the hook and the missing feature. Empty when every hook can run.
    /// </summary>
    public IReadOnlyList<string> FindUnsupported(KernelFeature available) =>
        Hooks.SelectMany(hook => hook.Requirements
                .Where(requirement => !requirement.IsMetBy(available))
                .Select(requirement => $"policy \"{Name}\": {hook.SourcePath} ({hook.Target.DisplayName}) needs {requirement.Describe()}, which this kernel lacks"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
