using Google.Protobuf;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>
/// Tetragon's text form of a filter list (<c>--export-allowlist</c>, <c>--export-denylist</c>,
/// <c>--redaction-filters</c>): objects in proto JSON, one after another, whitespace or
/// newlines between, e.g. <c>{"event_set":["PROCESS_EXEC"]} {"binary_regex":["^/usr/bin/"]}</c>.
/// </summary>
public static class FilterList
{
    /// <summary>The filters of <paramref name="text"/> (none for blank text).</summary>
    /// <exception cref="ArgumentException">The text is not such a list: the message starts with <paramref name="flag"/> and names the filter and its line.</exception>
    public static IReadOnlyList<Filter> Parse(string text, string flag) => Parse<Filter>(text, flag);

    /// <summary>The <typeparamref name="T"/> objects of <paramref name="text"/>, each with the line it starts on.</summary>
    /// <exception cref="ArgumentException">As <see cref="Parse(string, string)"/>.</exception>
    public static IReadOnlyList<T> Parse<T>(string text, string flag)
        where T : IMessage<T>, new() => Parse<T>(text, flag, json => json);

    /// <summary>As <see cref="Parse{T}(string, string)"/>, each object's text passing through <paramref name="prepare"/> first.</summary>
    internal static IReadOnlyList<T> Parse<T>(string text, string flag, Func<string, string> prepare)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(text);
        var filters = new List<T>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return filters;
            }

            var line = LineOf(text, i);
            if (text[i] != '{')
            {
                throw new ArgumentException($"{flag}: unexpected '{text[i]}' at line {line}: each filter is a JSON object, e.g. {{\"event_set\":[\"PROCESS_EXEC\"]}}");
            }

            var end = EndOfObject(text, i);
            if (end < 0)
            {
                throw new ArgumentException($"{flag}: filter {filters.Count + 1} (line {line}) is not closed");
            }

            try
            {
                filters.Add(JsonParser.Default.Parse<T>(prepare(text[i..end])));
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or System.Text.Json.JsonException)
            {
                throw new ArgumentException($"{flag}: filter {filters.Count + 1} (line {line}): {e.Message}", e);
            }

            i = end;
        }
    }

    /// <summary>Where the object opening at <paramref name="start"/> ends (one past its brace); -1 when it does not.</summary>
    private static int EndOfObject(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++; // the escaped character, a quote included
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && --depth == 0)
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
