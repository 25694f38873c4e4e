using System.Text.RegularExpressions;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>One <see cref="Filter"/> compiled into ANDed predicates.</summary>
internal sealed class CompiledFilter
{
    private readonly Func<GetEventsResponse, bool>[] _predicates;

    private CompiledFilter(Func<GetEventsResponse, bool>[] predicates) => _predicates = predicates;

    public bool Matches(GetEventsResponse response)
    {
        foreach (var predicate in _predicates)
        {
            if (!predicate(response))
            {
                return false;
            }
        }

        return true;
    }

    private static Func<GetEventsResponse, bool> CelExpression(string expression, string place)
    {
        try
        {
            return Cel.CelFilter.Compile(expression);
        }
        catch (Cel.CelException e)
        {
            throw new ArgumentException($"{place}: {e.Message}: {expression}", e);
        }
    }

    public static CompiledFilter Compile(Filter filter, string place)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var predicates = new List<Func<GetEventsResponse, bool>>();

        if (filter.BinaryRegex.Count > 0)
        {
            var regexes = Regexes(filter.BinaryRegex, place, "binary_regex");
            predicates.Add(e => AnyMatch(regexes, EventFields.ProcessOf(e)?.Binary));
        }

        if (filter.Namespace.Count > 0)
        {
            // Kubernetes namespaces; "" (tetra --host) selects processes outside any container or pod.
            var namespaces = filter.Namespace.ToHashSet(StringComparer.Ordinal);
            predicates.Add(e => NamespaceOf(EventFields.ProcessOf(e)) is { } ns && namespaces.Contains(ns));
        }

        if (filter.NamespaceRegex.Count > 0)
        {
            var regexes = Regexes(filter.NamespaceRegex, place, "namespace_regex");
            predicates.Add(e => AnyMatch(regexes, NamespaceOf(EventFields.ProcessOf(e))));
        }

        if (filter.HealthCheck is { } healthCheck)
        {
            predicates.Add(e =>
            {
                var container = EventFields.ContainerOf(EventFields.ProcessOf(e));
                return (container?.MaybeExecProbe ?? false) == healthCheck;
            });
        }

        if (filter.Pid.Count > 0)
        {
            var pids = filter.Pid.ToHashSet();
            predicates.Add(e => EventFields.ProcessOf(e)?.Pid is { } pid && pids.Contains(pid));
        }

        if (filter.PidSet.Count > 0)
        {
            // Stateless form of Tetragon's pid_set: the process, its parent or any reported
            // ancestor has one of the PIDs.
            var pids = filter.PidSet.ToHashSet();
            predicates.Add(e =>
            {
                if (EventFields.ProcessOf(e)?.Pid is { } pid && pids.Contains(pid))
                {
                    return true;
                }

                if (EventFields.ParentOf(e)?.Pid is { } ppid && pids.Contains(ppid))
                {
                    return true;
                }

                return EventFields.AncestorsOf(e).Any(a => a.Pid is { } apid && pids.Contains(apid));
            });
        }

        if (filter.EventSet.Count > 0)
        {
            var types = filter.EventSet.ToHashSet();
            predicates.Add(e => types.Contains(EventTypes.Of(e)));
        }

        if (filter.PodRegex.Count > 0)
        {
            var regexes = Regexes(filter.PodRegex, place, "pod_regex");
            predicates.Add(e => EventFields.ProcessOf(e)?.Pod is { } pod && AnyMatch(regexes, pod.Name));
        }

        if (filter.ArgumentsRegex.Count > 0)
        {
            var regexes = Regexes(filter.ArgumentsRegex, place, "arguments_regex");
            predicates.Add(e => AnyMatch(regexes, EventFields.ProcessOf(e)?.Arguments));
        }

        if (filter.Labels.Count > 0)
        {
            var selectors = filter.Labels.Select((s, i) => LabelSelector.Parse(s, $"{place}.labels[{i}]")).ToArray();
            predicates.Add(e =>
            {
                var process = EventFields.ProcessOf(e);
                IReadOnlyDictionary<string, string>? labels =
                    process?.Container is { } c ? c.Labels : process?.Pod?.PodLabels;
                return labels is not null && selectors.Any(s => s.Matches(labels));
            });
        }

        if (filter.PolicyNames.Count > 0)
        {
            var names = filter.PolicyNames.ToHashSet(StringComparer.Ordinal);
            predicates.Add(e => EventFields.PolicyNameOf(e) is { Length: > 0 } name && names.Contains(name));
        }

        if (filter.Capabilities is { } caps)
        {
            var permitted = CapabilitySetFilter.Compile(caps.Permitted, $"{place}.capabilities.permitted");
            var effective = CapabilitySetFilter.Compile(caps.Effective, $"{place}.capabilities.effective");
            var inheritable = CapabilitySetFilter.Compile(caps.Inheritable, $"{place}.capabilities.inheritable");
            predicates.Add(e =>
            {
                var cap = EventFields.ProcessOf(e)?.Cap;
                if (cap is null)
                {
                    return false;
                }

                return (permitted?.Matches(cap.Permitted) ?? true)
                    && (effective?.Matches(cap.Effective) ?? true)
                    && (inheritable?.Matches(cap.Inheritable) ?? true);
            });
        }

        if (filter.ParentBinaryRegex.Count > 0)
        {
            var regexes = Regexes(filter.ParentBinaryRegex, place, "parent_binary_regex");
            predicates.Add(e => AnyMatch(regexes, EventFields.ParentOf(e)?.Binary));
        }

        if (filter.CelExpression.Count > 0)
        {
            // Any of the expressions, as Tetragon ORs them.
            var expressions = filter.CelExpression.Select((x, i) => CelExpression(x, $"{place}.cel_expression[{i}]")).ToArray();
            predicates.Add(e => expressions.Any(x => x(e)));
        }

        if (filter.ParentArgumentsRegex.Count > 0)
        {
            var regexes = Regexes(filter.ParentArgumentsRegex, place, "parent_arguments_regex");
            predicates.Add(e => AnyMatch(regexes, EventFields.ParentOf(e)?.Arguments));
        }

        if (filter.ContainerId.Count > 0)
        {
            var matchers = filter.ContainerId.Select((v, i) => ContainerIdMatcher.Compile(v, $"{place}.container_id[{i}]")).ToArray();
            predicates.Add(e =>
            {
                var process = EventFields.ProcessOf(e);
                if (process is null)
                {
                    return false;
                }

                var fullId = EventFields.ContainerOf(process)?.Id;
                return matchers.Any(m => m.Matches(process.Docker, fullId));
            });
        }

        if (filter.InInitTree is { } inInitTree)
        {
            predicates.Add(e => EventFields.ProcessOf(e)?.InInitTree is { } value && value == inInitTree);
        }

        if (filter.AncestorBinaryRegex.Count > 0)
        {
            var regexes = Regexes(filter.AncestorBinaryRegex, place, "ancestor_binary_regex");
            predicates.Add(e =>
                AnyMatch(regexes, EventFields.ParentOf(e)?.Binary)
                || EventFields.AncestorsOf(e).Any(a => AnyMatch(regexes, a.Binary)));
        }

        if (filter.ContainerNameRegex.Count > 0)
        {
            var regexes = Regexes(filter.ContainerNameRegex, place, "container_name_regex");
            predicates.Add(e =>
            {
                var process = EventFields.ProcessOf(e);
                return AnyMatch(regexes, process?.Container?.Name) || AnyMatch(regexes, process?.Pod?.Container?.Name);
            });
        }

        return new CompiledFilter([.. predicates]);
    }

    /// <summary>The pod's namespace; "" for a host process; null for a container outside any pod.</summary>
    private static string? NamespaceOf(Process? process)
    {
        if (process is null)
        {
            return null;
        }

        if (process.Pod is not null)
        {
            return process.Pod.Namespace;
        }

        return process.Container is null && string.IsNullOrEmpty(process.Docker) ? string.Empty : null;
    }

    internal static Regex CompileRegex(string pattern, string place)
    {
        try
        {
            // NonBacktracking: linear time like RE2, so a client's pattern cannot stall the agent.
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{place}: invalid regular expression \"{pattern}\": {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"{place}: unsupported regular expression \"{pattern}\": {ex.Message}", ex);
        }
    }

    private static Regex[] Regexes(IEnumerable<string> patterns, string place, string field) =>
        [.. patterns.Select((p, i) => CompileRegex(p, $"{place}.{field}[{i}]"))];

    private static bool AnyMatch(Regex[] regexes, string? value)
    {
        if (value is null)
        {
            return false;
        }

        foreach (var regex in regexes)
        {
            if (regex.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }
}
