namespace Tetragon.Docker.Agent.Observer;

/// <summary>The kernel's --cgroup-rate state, as the throttle monitor reads and ends it.</summary>
internal interface ICgroupRateMaps
{
    /// <summary>The cgroups the kernel throttles now: id, directory name, boot-clock ns of the start.</summary>
    IReadOnlyList<(ulong CgroupId, string Name, ulong StartNs)> Throttled();

    /// <summary>Boot-clock ns when the cgroup was last over its limit; null when the kernel forgot it.</summary>
    ulong? LastOverNs(ulong cgroupId);

    /// <summary>Lets the cgroup's events through again.</summary>
    void EndThrottle(ulong cgroupId);
}
