namespace Tetragon.Docker.Events;

/// <summary>
/// A Kubernetes-style label selector subset: comma-separated requirements, each <c>key=value</c>,
/// <c>key==value</c>, <c>key!=value</c>, <c>key</c> (exists) or <c>!key</c> (absent); all must hold.
/// </summary>
internal sealed class LabelSelector
{
    private readonly Requirement[] _requirements;

    private LabelSelector(Requirement[] requirements) => _requirements = requirements;

    public static LabelSelector Parse(string selector, string place)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var requirements = new List<Requirement>();
        foreach (var raw in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            Requirement requirement;
            int at;
            if ((at = raw.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                requirement = new Requirement(raw[..at].Trim(), raw[(at + 2)..].Trim(), Op.NotEquals);
            }
            else if ((at = raw.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                requirement = new Requirement(raw[..at].Trim(), raw[(at + 2)..].Trim(), Op.Equals);
            }
            else if ((at = raw.IndexOf('=')) > 0)
            {
                requirement = new Requirement(raw[..at].Trim(), raw[(at + 1)..].Trim(), Op.Equals);
            }
            else if (raw.StartsWith('!') && raw.Length > 1)
            {
                requirement = new Requirement(raw[1..].Trim(), null, Op.Absent);
            }
            else if (raw.IndexOfAny(['=', '!', ' ', '(', ')']) < 0)
            {
                requirement = new Requirement(raw, null, Op.Exists);
            }
            else
            {
                throw new ArgumentException(
                    $"{place}: unsupported label selector \"{selector}\" (use key=value, key!=value, key or !key, comma-separated)");
            }

            if (requirement.Key.Length == 0)
            {
                throw new ArgumentException($"{place}: empty label key in \"{selector}\"");
            }

            requirements.Add(requirement);
        }

        return new LabelSelector([.. requirements]);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            var present = labels.TryGetValue(r.Key, out var value);
            var ok = r.Op switch
            {
                Op.Equals => present && value == r.Value,
                Op.NotEquals => !present || value != r.Value,
                Op.Exists => present,
                Op.Absent => !present,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private enum Op
    {
        Equals,
        NotEquals,
        Exists,
        Absent,
    }

    private sealed record Requirement(string Key, string? Value, Op Op);
}
