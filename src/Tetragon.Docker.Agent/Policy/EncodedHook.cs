namespace Tetragon.Docker.Agent.Policy;

/// <summary>What one hook writes into the generic sensor's maps: its config and its filter values.</summary>
internal sealed record EncodedHook(uint HookId, byte[] Config, IReadOnlyList<byte[]> StringKeys, IReadOnlyList<byte[]> NumberKeys, IReadOnlyList<GenericArg> Args, byte ReturnType)
{
    /// <summary>Whether the kernel's slots are the event's order (not so when a returnCopy buffer moved to the last slot).</summary>
    public bool InPolicyOrder { get; } = Args.Select((a, i) => a.Position == i).All(same => same);

    /// <summary>Its matchBinaries filters with followChildren, each with the bit it was given.</summary>
    public IReadOnlyList<FollowFilter> Follow { get; init; } = [];
}

/// <summary>A followChildren filter: its bit in exec_binary.follow and the binaries that set it.</summary>
internal sealed record FollowFilter(int Bit, IReadOnlyList<string> Binaries);

/// <summary>
/// The 64 followChildren bits, shared by every policy: a bit per filter, free again when its
/// policy goes. Built from the bits installed hooks hold; hands out the rest.
/// </summary>
internal sealed class FollowChildrenBits(ulong inUse = 0)
{
    public const int Count = 64;

    private ulong used = inUse;

    /// <summary>A free bit, now taken; -1 when all 64 are.</summary>
    public int Allocate()
    {
        for (var bit = 0; bit < Count; bit++)
        {
            if ((used & (1UL << bit)) == 0)
            {
                used |= 1UL << bit;
                return bit;
            }
        }

        return -1;
    }
}
