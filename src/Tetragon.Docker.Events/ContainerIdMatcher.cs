using System.Text.RegularExpressions;

namespace Tetragon.Docker.Events;

/// <summary>
/// One container_id filter value. A plain hex id matches by prefix (either id may be the
/// shorter one, since process.docker holds only a prefix); anything else is an RE2-style
/// regular expression on process.docker, as in Tetragon.
/// </summary>
internal sealed class ContainerIdMatcher
{
    private readonly string? _hexPrefix;
    private readonly Regex? _regex;

    private ContainerIdMatcher(string? hexPrefix, Regex? regex)
    {
        _hexPrefix = hexPrefix;
        _regex = regex;
    }

    public static ContainerIdMatcher Compile(string value, string place)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value.All(char.IsAsciiHexDigitLower))
        {
            return new ContainerIdMatcher(value, null);
        }

        return new ContainerIdMatcher(null, CompiledFilter.CompileRegex(value, place));
    }

    public bool Matches(string? docker, string? fullId)
    {
        if (_hexPrefix is not null)
        {
            return PrefixMatch(_hexPrefix, fullId) || PrefixMatch(_hexPrefix, docker);
        }

        return (!string.IsNullOrEmpty(docker) && _regex!.IsMatch(docker))
            || (!string.IsNullOrEmpty(fullId) && _regex!.IsMatch(fullId));
    }

    private static bool PrefixMatch(string wanted, string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var length = Math.Min(wanted.Length, id.Length);
        return string.CompareOrdinal(wanted, 0, id, 0, length) == 0 && (wanted.Length <= id.Length || id.Length >= 12);
    }
}
