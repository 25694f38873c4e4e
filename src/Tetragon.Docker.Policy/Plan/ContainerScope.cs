using Tetragon.Docker.Policy.Model;

namespace Tetragon.Docker.Policy.Plan;

/// <summary>
/// Which containers a policy with a podSelector or containerSelector applies to. Docker has no
/// pods: a podSelector's labels are the container's labels (compose's
/// <c>com.docker.compose.service</c>, your own <c>--label</c>), and a containerSelector's
/// <c>name</c> is the container's name. A process outside any container never matches.
/// </summary>
public sealed record ContainerScope(LabelSelector? Pod, LabelSelector? Container)
{
    /// <summary>The scope of a policy, or null when it applies everywhere.</summary>
    public static ContainerScope? Of(PolicyPlan plan) =>
        plan.PodSelector is null && plan.ContainerSelector is null ? null : new ContainerScope(plan.PodSelector, plan.ContainerSelector);

    public bool Matches(string containerName, IReadOnlyDictionary<string, string> labels) =>
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
