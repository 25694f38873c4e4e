using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Tests;

public sealed class CgroupThrottleMonitorTests
{
    private const ulong Second = 1_000_000_000;

    private readonly FakeRateMaps maps = new();
    private readonly List<GetEventsResponse> published = [];
    private readonly CgroupThrottleMonitor monitor;

    public CgroupThrottleMonitorTests() => monitor = new CgroupThrottleMonitor(maps, new BootClock(), "node", published.Add);

    [Fact]
    public void AThrottledCgroupIsReportedOnceWithTheKernelsStartTime()
    {
        maps.Throttle(7, "docker-abc.scope", startNs: 100 * Second, lastOverNs: 100 * Second);

        monitor.Poll(101 * Second);
        monitor.Poll(102 * Second);

        var start = Assert.Single(published);
        Assert.Equal(ThrottleType.ThrottleStart, start.ProcessThrottle.Type);
        Assert.Equal("docker-abc.scope", start.ProcessThrottle.Cgroup);
        Assert.Equal("node", start.NodeName);
        Assert.Equal(new BootClock().ToWallClock(100 * Second), start.Time.ToDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, monitor.ThrottledCount);
        Assert.Empty(maps.Ended);
    }

    [Fact]
    public void ThrottlingStopsAfterFiveSecondsUnderTheLimit()
    {
        maps.Throttle(7, "c", startNs: 100 * Second, lastOverNs: 103 * Second);

        monitor.Poll(107 * Second); // 4 s under the limit
        Assert.Empty(maps.Ended);

        monitor.Poll(108 * Second);
        Assert.Equal([7ul], maps.Ended);
        Assert.Equal([ThrottleType.ThrottleStart, ThrottleType.ThrottleStop], published.Select(e => e.ProcessThrottle.Type));
        Assert.Equal("c", published[1].ProcessThrottle.Cgroup);
        Assert.Equal(0, monitor.ThrottledCount);

        monitor.Poll(120 * Second);
        Assert.Equal(2, published.Count);
    }

    [Fact]
    public void ACgroupTheKernelForgotIsStopped()
    {
        maps.Throttle(9, "gone", startNs: Second, lastOverNs: null);

        monitor.Poll(2 * Second);

        Assert.Equal([9ul], maps.Ended);
        Assert.Equal([ThrottleType.ThrottleStart, ThrottleType.ThrottleStop], published.Select(e => e.ProcessThrottle.Type));
    }

    [Fact]
    public void ACgroupThrottledAgainIsReportedAgain()
    {
        maps.Throttle(7, "c", startNs: Second, lastOverNs: Second);
        monitor.Poll(10 * Second);
        maps.Throttle(7, "c", startNs: 20 * Second, lastOverNs: 20 * Second);
        monitor.Poll(21 * Second);

        Assert.Equal([ThrottleType.ThrottleStart, ThrottleType.ThrottleStop, ThrottleType.ThrottleStart], published.Select(e => e.ProcessThrottle.Type));
    }

    /// <summary>The kernel's maps as the monitor sees them: pure logic under test, the kernel side is E2E.</summary>
    private sealed class FakeRateMaps : ICgroupRateMaps
    {
        private readonly Dictionary<ulong, (string Name, ulong StartNs)> throttled = [];
        private readonly Dictionary<ulong, ulong> lastOver = [];

        public List<ulong> Ended { get; } = [];

        public void Throttle(ulong id, string name, ulong startNs, ulong? lastOverNs)
        {
            throttled[id] = (name, startNs);
            if (lastOverNs is { } ns)
            {
                lastOver[id] = ns;
            }
        }

        public IReadOnlyList<(ulong CgroupId, string Name, ulong StartNs)> Throttled() =>
            [.. throttled.Select(kv => (kv.Key, kv.Value.Name, kv.Value.StartNs))];

        public ulong? LastOverNs(ulong cgroupId) => lastOver.TryGetValue(cgroupId, out var ns) ? ns : null;

        public void EndThrottle(ulong cgroupId)
        {
            Ended.Add(cgroupId);
            throttled.Remove(cgroupId);
        }
    }
}
