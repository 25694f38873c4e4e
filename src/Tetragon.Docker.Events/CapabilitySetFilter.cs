using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>A compiled <see cref="CapFilterSet"/>: exactly one of any/all/exactly/none.</summary>
internal sealed class CapabilitySetFilter
{
    private readonly HashSet<CapabilitiesType> _set;
    private readonly Func<HashSet<CapabilitiesType>, IEnumerable<CapabilitiesType>, bool> _match;

    private CapabilitySetFilter(HashSet<CapabilitiesType> set, Func<HashSet<CapabilitiesType>, IEnumerable<CapabilitiesType>, bool> match)
    {
        _set = set;
        _match = match;
    }

    public static CapabilitySetFilter? Compile(CapFilterSet? set, string place)
    {
        if (set is null)
        {
            return null;
        }

        var given = (set.Any.Count > 0 ? 1 : 0) + (set.All.Count > 0 ? 1 : 0) + (set.Exactly.Count > 0 ? 1 : 0) + (set.None.Count > 0 ? 1 : 0);
        if (given > 1)
        {
            throw new ArgumentException($"{place}: give only one of any, all, exactly, none");
        }

        if (set.Any.Count > 0)
        {
            return new([.. set.Any], (want, have) => have.Any(want.Contains));
        }

        if (set.All.Count > 0)
        {
            return new([.. set.All], (want, have) => want.IsSubsetOf(have));
        }

        if (set.Exactly.Count > 0)
        {
            return new([.. set.Exactly], (want, have) => want.SetEquals(have));
        }

        return set.None.Count > 0 ? new([.. set.None], (want, have) => !have.Any(want.Contains)) : null;
    }

    public bool Matches(IEnumerable<CapabilitiesType> have) => _match(_set, have);
}
