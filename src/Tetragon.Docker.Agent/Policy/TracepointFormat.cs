using System.Globalization;
using System.Text.RegularExpressions;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// A tracepoint's record layout, from <c>events/&lt;subsystem&gt;/&lt;event&gt;/format</c> in tracefs.
/// Policy arg indexes count every field, the common_* ones included (as Tetragon does).
/// </summary>
internal sealed partial class TracepointFormat(string subsystem, string eventName, IReadOnlyList<TracepointField> fields)
{
    public string Subsystem { get; } = subsystem;

    public string Event { get; } = eventName;

    public IReadOnlyList<TracepointField> Fields { get; } = fields;

    public static TracepointFormat Parse(string subsystem, string eventName, string text)
    {
        var fields = new List<TracepointField>();
        foreach (Match m in FieldPattern().Matches(text))
        {
            var decl = m.Groups["decl"].Value.Trim();
            var split = NamePattern().Match(decl);
            if (!split.Success)
            {
                continue;
            }

            var type = split.Groups["type"].Value.Trim();
            var array = split.Groups["array"].Value;
            fields.Add(new TracepointField(
                type + array,
                split.Groups["name"].Value,
                int.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture),
                m.Groups["signed"].Value == "1"));
        }

        return new TracepointFormat(subsystem, eventName, fields);
    }

    /// <summary>Reads the format from tracefs (mounting it at /sys/kernel/tracing when nothing is mounted).</summary>
    public static TracepointFormat Load(string subsystem, string eventName)
    {
        var root = Tracefs.EventsRoot();
        var path = Path.Combine(root, subsystem, eventName, "format");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"tracepoint {subsystem}/{eventName} does not exist on this kernel (no {path})");
        }

        return Parse(subsystem, eventName, File.ReadAllText(path));
    }

    [GeneratedRegex(@"field:(?<decl>[^;]+);\s*offset:(?<offset>\d+);\s*size:(?<size>\d+);\s*signed:(?<signed>\d)")]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@"^(?<type>.*?)(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<array>\[[^\]]*\])?$")]
    private static partial Regex NamePattern();
}
