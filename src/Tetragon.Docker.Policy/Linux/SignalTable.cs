using System.Collections.Frozen;
using System.Globalization;

namespace Tetragon.Docker.Policy.Linux;

/// <summary>Linux signal names and numbers (x86_64); accepts <c>SIGKILL</c>, <c>KILL</c>, <c>9</c>, and <c>SIGRTMIN+n</c>.</summary>
public static class SignalTable
{
    public const int SigKill = 9;
    public const int MaxSignal = 64;

    private static readonly FrozenDictionary<string, int> ByName = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["SIGHUP"] = 1, ["SIGINT"] = 2, ["SIGQUIT"] = 3, ["SIGILL"] = 4, ["SIGTRAP"] = 5, ["SIGABRT"] = 6, ["SIGIOT"] = 6,
        ["SIGBUS"] = 7, ["SIGFPE"] = 8, ["SIGKILL"] = 9, ["SIGUSR1"] = 10, ["SIGSEGV"] = 11, ["SIGUSR2"] = 12,
        ["SIGPIPE"] = 13, ["SIGALRM"] = 14, ["SIGTERM"] = 15, ["SIGSTKFLT"] = 16, ["SIGCHLD"] = 17, ["SIGCONT"] = 18,
        ["SIGSTOP"] = 19, ["SIGTSTP"] = 20, ["SIGTTIN"] = 21, ["SIGTTOU"] = 22, ["SIGURG"] = 23, ["SIGXCPU"] = 24,
        ["SIGXFSZ"] = 25, ["SIGVTALRM"] = 26, ["SIGPROF"] = 27, ["SIGWINCH"] = 28, ["SIGIO"] = 29, ["SIGPOLL"] = 29,
        ["SIGPWR"] = 30, ["SIGSYS"] = 31, ["SIGRTMIN"] = 34, ["SIGRTMAX"] = 64,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string text, out int number)
    {
        number = 0;
        var s = text.Trim();
        if (s.Length is 0 or > 16)
        {
            return false;
        }

        if (s.All(char.IsAsciiDigit))
        {
            return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is >= 1 and <= MaxSignal;
        }

        var upper = s.ToUpperInvariant();
        if (!upper.StartsWith("SIG", StringComparison.Ordinal))
        {
            upper = "SIG" + upper;
        }

        if (upper.StartsWith("SIGRTMIN+", StringComparison.Ordinal)
            && int.TryParse(upper.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            number = 34 + offset;
            return number <= MaxSignal;
        }

        return ByName.TryGetValue(upper, out number);
    }

    /// <summary>The usual name of a signal number (SIGKILL for 9), or SIG&lt;n&gt;.</summary>
    public static string NameOf(int number) =>
        ByName.Where(pair => pair.Value == number && pair.Key is not "SIGIOT" and not "SIGPOLL")
            .Select(pair => pair.Key)
            .FirstOrDefault() ?? (number is > 34 and < 64 ? "SIGRTMIN+" + (number - 34).ToString(CultureInfo.InvariantCulture) : "SIG" + number.ToString(CultureInfo.InvariantCulture));
}
