using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// --enable-process-environment-variables with --filter-environment-variables: the variables an
/// exec's process carries as Tetragon's <c>environment_variables</c> ({"Key","Value"}), all of them
/// or only the named ones. --redaction-filters apply to each "KEY=VALUE" entry as they do to
/// arguments, so a filter like <c>AWS_SECRET_ACCESS_KEY=(\S+)</c> masks a secret.
/// </summary>
internal sealed class EnvironmentFilter(IReadOnlySet<string> keys, ArgumentRedaction redaction)
{
    /// <param name="filter">Comma-separated variable names; empty: every variable.</param>
    public static EnvironmentFilter Parse(string filter, ArgumentRedaction redaction) =>
        new(filter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), redaction);

    public IEnumerable<EnvVar> Select(string binary, IReadOnlyList<string> entries)
    {
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? entry : entry[..eq];
            if (key.Length == 0 || (keys.Count > 0 && !keys.Contains(key)))
            {
                continue;
            }

            var text = redaction.IsEmpty ? entry : redaction.Redact(binary, entry);
            var split = text.IndexOf('=', StringComparison.Ordinal);
            yield return new EnvVar { Key = key, Value = split < 0 ? "" : text[(split + 1)..] };
        }
    }
}
