using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>
/// --cgroup-rate, the user-space half: reports each cgroup the kernel throttled
/// (process_throttle THROTTLE_START, stamped with the kernel's time) and ends the throttling
/// once the cgroup has stayed under its limit for <see cref="StableFor"/> (THROTTLE_STOP), as
/// Tetragon does. The start is read from a map, not sent through the ring buffer, so a storm
/// that fills the ring cannot lose it. Runs on the event thread.
/// </summary>
internal sealed class CgroupThrottleMonitor(ICgroupRateMaps maps, BootClock clock, string nodeName, Action<GetEventsResponse> publish)
{
    /// <summary>Tetragon's: throttling stops after this long under the limit.</summary>
    public static readonly TimeSpan StableFor = TimeSpan.FromSeconds(5);

    private readonly HashSet<ulong> reported = [];

    /// <summary>Cgroups whose throttling started and has not stopped.</summary>
    public int ThrottledCount => reported.Count;

    /// <param name="nowBootNs">The boot clock now (the kernel's clock for these maps).</param>
    public void Poll(ulong nowBootNs)
    {
        foreach (var (id, name, startNs) in maps.Throttled())
        {
            if (reported.Add(id))
            {
                Publish(ThrottleType.ThrottleStart, name, startNs);
            }

            var lastOver = maps.LastOverNs(id);
            if (lastOver is null || nowBootNs - Math.Min(nowBootNs, lastOver.Value) >= (ulong)(StableFor.Ticks * TimeSpan.NanosecondsPerTick))
            {
                maps.EndThrottle(id);
                reported.Remove(id);
                Publish(ThrottleType.ThrottleStop, name, nowBootNs);
            }
        }
    }

    private void Publish(ThrottleType type, string cgroup, ulong bootNs) => publish(new GetEventsResponse
    {
        ProcessThrottle = new ProcessThrottle { Type = type, Cgroup = cgroup },
        NodeName = nodeName,
        Time = Timestamp.FromDateTimeOffset(clock.ToWallClock(bootNs)),
    });
}
