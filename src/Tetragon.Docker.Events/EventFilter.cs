using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>
/// A compiled <see cref="GetEventsRequest"/> filter: an event passes when it matches at least one
/// allow_list filter (an empty allow list allows everything) and none of the deny_list filters.
/// The fields inside one <see cref="Filter"/> are ANDed; the values of one repeated field are
/// ORed. Regular expressions are compiled once, with a linear-time engine (like Tetragon's RE2).
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class EventFilter
{
    private readonly CompiledFilter[] _allow;
    private readonly CompiledFilter[] _deny;

    private EventFilter(CompiledFilter[] allow, CompiledFilter[] deny)
    {
        _allow = allow;
        _deny = deny;
    }

    /// <summary>A filter that passes every event.</summary>
    public static EventFilter AllowAll { get; } = new([], []);

    /// <summary>True when the filter passes every event.</summary>
    public bool IsAllowAll => _allow.Length == 0 && _deny.Length == 0;

    /// <summary>
    /// Compiles the allow and deny lists of <paramref name="request"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A filter is invalid; the message names its place, e.g. <c>allow_list[0].binary_regex[1]</c>.</exception>
    public static EventFilter Compile(GetEventsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Compile(request.AllowList, request.DenyList);
    }

    /// <summary>
    /// Compiles allow and deny lists; <paramref name="allowName"/> and <paramref name="denyName"/>
    /// name them in error messages (e.g. "export-allowlist").
    /// </summary>
    /// <exception cref="ArgumentException">A filter is invalid; the message names its place.</exception>
    public static EventFilter Compile(
        IEnumerable<Filter> allowList,
        IEnumerable<Filter> denyList,
        string allowName = "allow_list",
        string denyName = "deny_list")
    {
        ArgumentNullException.ThrowIfNull(allowList);
        ArgumentNullException.ThrowIfNull(denyList);
        var allow = allowList.Select((f, i) => CompiledFilter.Compile(f, $"{allowName}[{i}]")).ToArray();
        var deny = denyList.Select((f, i) => CompiledFilter.Compile(f, $"{denyName}[{i}]")).ToArray();
        return new EventFilter(allow, deny);
    }

    /// <summary>True when <paramref name="response"/> passes the filter.</summary>
    public bool Matches(GetEventsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (_allow.Length > 0 && !AnyMatches(_allow, response))
        {
            return false;
        }

        return !AnyMatches(_deny, response);
    }

    private static bool AnyMatches(CompiledFilter[] filters, GetEventsResponse response)
    {
        foreach (var filter in filters)
        {
            if (filter.Matches(response))
            {
                return true;
            }
        }

        return false;
    }
}
