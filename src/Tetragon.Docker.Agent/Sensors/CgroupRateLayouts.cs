using System.Runtime.InteropServices;
using Tetragon.Docker.Agent.Observer;

namespace Tetragon.Docker.Agent.Sensors;

// Mirrors of bpf/lib/rate.h (--cgroup-rate); sizes are pinned by tests.

/// <summary>cgroup_rate_config[0]: more than Events execs and exits per IntervalNs throttle a cgroup; 0 events: off.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct CgroupRateConfig(ulong Events, ulong IntervalNs);

/// <summary>cgroup_rate_map: a cgroup's count in its current window.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CgroupRateState
{
    public ulong WindowStart;
    public ulong Count;
    public ulong LastOver;
    public ulong Throttled;
}

/// <summary>cgroup_throttled: a cgroup the kernel throttles, since when, and its directory name.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CgroupThrottle
{
    public ulong StartNs;
    public CgroupName Name;
}
