using System.Text;

namespace Tetragon.Docker.Events;

/// <summary>
/// Tetragon's string form of a process's arguments (<c>Process.arguments</c>).
/// </summary>
public static class ProcessArguments
{
    /// <summary>
    /// Formats <paramref name="argv"/> the way Tetragon does: the arguments after argv[0] joined by
    /// single spaces; an argument containing a space is wrapped in double quotes, and double
    /// quotes inside such an argument are escaped as <c>\"</c> so the string splits back
    /// unambiguously. Example: <c>["bash", "-c", "curl -I x"]</c> → <c>-c "curl -I x"</c>.
    /// </summary>
    public static string Format(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count <= 1)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        for (var i = 1; i < argv.Count; i++)
        {
            if (i > 1)
            {
                sb.Append(' ');
            }

            var arg = argv[i] ?? string.Empty;
            if (arg.Contains(' ', StringComparison.Ordinal))
            {
                sb.Append('"').Append(arg.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(arg);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Splits a raw NUL-separated kernel argument buffer (as in /proc/PID/cmdline) into
    /// arguments. Trailing NULs are ignored; empty arguments in the middle are kept; invalid
    /// UTF-8 is decoded as U+FFFD.
    /// </summary>
    public static string[] Split(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.Length;
        while (end > 0 && buffer[end - 1] == 0)
        {
            end--;
        }

        buffer = buffer[..end];
        if (buffer.IsEmpty)
        {
            return [];
        }

        var args = new List<string>();
        while (true)
        {
            var nul = buffer.IndexOf((byte)0);
            if (nul < 0)
            {
                args.Add(Encoding.UTF8.GetString(buffer));
                break;
            }

            args.Add(Encoding.UTF8.GetString(buffer[..nul]));
            buffer = buffer[(nul + 1)..];
        }

        return [.. args];
    }
}
