namespace Tetragon.Docker.Policy.Parsing;

/// <summary>Builds field paths such as <c>spec.kprobes[0].selectors[1].matchArgs[0].operator</c>.</summary>
internal static class PolicyPath
{
    /// <summary>How the document root is named in errors.</summary>
    public const string Root = "<document>";

    private const int MaxKeyChars = 64;

    public static string Field(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    public static string Item(string parent, int index) => parent + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";

    public static string Display(string path) => path.Length == 0 ? Root : path;

    /// <summary>Parent of a path, or null for the root.</summary>
    public static string? Parent(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? string.Empty : path[..cut];
    }

    /// <summary>A key as it may appear in a path or message: printable and short.</summary>
    public static string SafeKey(string key)
    {
        var text = key.Length > MaxKeyChars ? key[..MaxKeyChars] + "…" : key;
        if (text.Any(char.IsControl))
        {
            text = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        }

        return text;
    }

    /// <summary>A user value quoted for a message, shortened when long.</summary>
    public static string Quote(string value) => "\"" + SafeKey(value) + "\"";
}
