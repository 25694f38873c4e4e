using System.Diagnostics.CodeAnalysis;
using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy;

/// <summary>The outcome of <see cref="TracingPolicyLoader.Load"/>: a policy and its plan, or every error found.</summary>
public sealed record PolicyLoadResult
{
    private PolicyLoadResult(string? sourceName, TracingPolicy? policy, PolicyPlan? plan, IReadOnlyList<PolicyError> errors)
    {
        SourceName = sourceName;
        Policy = policy;
        Plan = plan;
        Errors = errors;
    }

    public string? SourceName { get; }

    /// <summary>The parsed model; set only on success.</summary>
    public TracingPolicy? Policy { get; }

    /// <summary>The compiled, kernel-independent plan; set only on success.</summary>
    public PolicyPlan? Plan { get; }

    /// <summary>Every error found, in document order of discovery; empty on success.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Policy), nameof(Plan))]
    public bool Success => Policy is not null && Plan is not null && Errors.Count == 0;

    /// <summary>Returns the plan, or throws a <see cref="PolicyException"/> listing every error.</summary>
    public PolicyPlan EnsureSuccess() => Success ? Plan : throw new PolicyException(SourceName, Errors);

    public override string ToString() =>
        Success
            ? $"TracingPolicy {Policy.Metadata.Name}: {Plan.Hooks.Count} hook(s)"
            : new PolicyException(SourceName, Errors).Message;

    internal static PolicyLoadResult Ok(string? sourceName, TracingPolicy policy, PolicyPlan plan) =>
        new(sourceName, policy, plan, []);

    internal static PolicyLoadResult Failed(string? sourceName, IReadOnlyList<PolicyError> errors) =>
        new(sourceName, null, null, errors);
}
