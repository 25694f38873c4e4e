using System.Text;
using System.Text.RegularExpressions;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>
/// <c>--redaction-filters</c>, as Tetragon defines them: <c>{"redact": [regex, ...], "binary_regex": [regex, ...]}</c>
/// objects, one after another. What a <c>redact</c> expression's capture groups match in a
/// process's arguments becomes <c>*****</c>, for every binary or for those <c>binary_regex</c>
/// names. Applied where the process is built, so neither the export nor a gRPC stream ever holds
/// the secret. Expressions run in linear time (like Tetragon's RE2). Immutable and thread-safe.
/// </summary>
public sealed class ArgumentRedaction
{
    public const string Mask = "*****";

    private readonly (Regex[] Binaries, Regex[] Redact)[] filters;

    private ArgumentRedaction((Regex[], Regex[])[] filters) => this.filters = filters;

    public static ArgumentRedaction None { get; } = new([]);

    public bool IsEmpty => filters.Length == 0;

    /// <exception cref="ArgumentException">The message names the flag, the filter, its field and what is wrong.</exception>
    public static ArgumentRedaction Parse(string text, string flag = "--redaction-filters")
    {
        var parsed = FilterList.Parse<RedactionFilter>(text, flag);
        var filters = new (Regex[], Regex[])[parsed.Count];
        for (var i = 0; i < parsed.Count; i++)
        {
            var f = parsed[i];
            var place = $"{flag}[{i}]";
            if (f.Match.Count > 0)
            {
                throw new ArgumentException($"{place}.match: deprecated upstream and not supported; select binaries with binary_regex");
            }

            if (f.Redact.Count == 0)
            {
                throw new ArgumentException($"{place}.redact: at least one regular expression with a capture group is needed");
            }

            var redact = f.Redact.Select((p, j) => CompiledFilter.CompileRegex(p, $"{place}.redact[{j}]")).ToArray();
            for (var j = 0; j < redact.Length; j++)
            {
                if (redact[j].GetGroupNumbers().Length < 2)
                {
                    throw new ArgumentException($"{place}.redact[{j}]: \"{f.Redact[j]}\" has no capture group: nothing would be redacted");
                }
            }

            filters[i] = (f.BinaryRegex.Select((p, j) => CompiledFilter.CompileRegex(p, $"{place}.binary_regex[{j}]")).ToArray(), redact);
        }

        return new ArgumentRedaction(filters);
    }

    /// <summary><paramref name="arguments"/> with every captured secret masked (the same string when there is none).</summary>
    public string Redact(string binary, string arguments)
    {
        foreach (var (binaries, redact) in filters)
        {
            if (binaries.Length > 0 && !binaries.Any(b => b.IsMatch(binary)))
            {
                continue;
            }

            foreach (var regex in redact)
            {
                arguments = MaskGroups(regex, arguments);
            }
        }

        return arguments;
    }

    private static string MaskGroups(Regex regex, string text)
    {
        var spans = new List<(int Start, int End)>();
        for (var m = regex.Match(text); m.Success; m = m.NextMatch())
        {
            for (var g = 1; g < m.Groups.Count; g++)
            {
                if (m.Groups[g].Success && m.Groups[g].Length > 0)
                {
                    spans.Add((m.Groups[g].Index, m.Groups[g].Index + m.Groups[g].Length));
                }
            }
        }

        if (spans.Count == 0)
        {
            return text;
        }

        spans.Sort();
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, end) in spans)
        {
            if (end <= at)
            {
                continue; // inside a span already masked (a nested group)
            }

            if (start >= at)
            {
                result.Append(text, at, start - at).Append(Mask);
            }

            at = end;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }
}
