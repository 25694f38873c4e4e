using Tetragon.Docker.Policy.Model;

namespace Tetragon.Docker.Policy.Plan;

/// <summary>
/// Which containers a policy with a podSelector or containerSelector, or a TracingPolicyNamespaced,
/// applies to. Docker has no pods: a podSelector's labels are the container's labels (compose's
/// <c>com.docker.compose.service</c>, your own <c>--label</c>), and a containerSelector's
/// <c>name</c> is the container's name. Nor namespaces: a namespaced policy's namespace is the
/// compose project (<c>com.docker.compose.project</c>), which groups a stack's containers as a
/// namespace groups pods. A process outside any container never matches.
/// </summary>
public sealed record ContainerScope(LabelSelector? Pod, LabelSelector? Container, string? Namespace = null)
{
    /// <summary>The Docker label that stands for a Kubernetes namespace.</summary>
    public const string NamespaceLabel = "com.docker.compose.project";

    /// <summary>kubectl's namespace for a namespaced object that names none.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The scope of a policy, or null when it applies everywhere.</summary>
    public static ContainerScope? Of(PolicyPlan plan)
    {
        var ns = plan.Scope == PolicyScope.Namespaced ? (string.IsNullOrEmpty(plan.Namespace) ? DefaultNamespace : plan.Namespace) : null;
        return plan.PodSelector is null && plan.ContainerSelector is null && ns is null
            ? null
            : new ContainerScope(plan.PodSelector, plan.ContainerSelector, ns);
    }

    public bool Matches(string containerName, IReadOnlyDictionary<string, string> labels) =>
        (Namespace is null || (labels.TryGetValue(NamespaceLabel, out var project) && project == Namespace)) &&
        (Pod is null || Selects(Pod, labels)) &&
        (Container is null || Selects(Container, new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = containerName }));

    /// <summary>Kubernetes' rules: every matchLabels pair and every expression holds; an empty selector selects all.</summary>
    public static bool Selects(LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector.MatchLabels)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var e in selector.MatchExpressions)
        {
            var present = labels.TryGetValue(e.Key, out var actual);
            var holds = e.Operator switch
            {
                "In" => present && e.Values.Contains(actual!),
                "NotIn" => !present || !e.Values.Contains(actual!),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
