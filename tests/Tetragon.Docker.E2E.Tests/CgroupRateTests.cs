using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>--cgroup-rate on the real kernel: a noisy cgroup is throttled in the kernel, the others are not.</summary>
public sealed class CgroupRateTests
{
    [Fact]
    public async Task ANoisyCgroupIsThrottledInTheKernelAndResumesWhenQuiet()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cgroup = TestCgroup.Create();
        // 20 in 10 s: a burst of 300 execs crosses it however slowly a loaded machine runs them.
        await using var agent = await AgentProcess.StartAsync("--cgroup-rate", "20,10s");
        var marker = $"noisy-{Guid.NewGuid():N}";

        // 300 execs (and their exits) from the new cgroup: far past 20 per window.
        var burst = await Trigger.RunAsync("/bin/sh", "/", "-c", $"echo $$ > {cgroup.Procs}; for i in $(seq 300); do /bin/true {marker}; done");
        Assert.Equal(0, burst.ExitCode);

        var start = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessThrottle?.Type == ThrottleType.ThrottleStart && e.ProcessThrottle.Cgroup == cgroup.Name);
        Assert.False(string.IsNullOrEmpty(start.NodeName));

        // Another cgroup's exec goes through while the noisy one is throttled.
        using var quiet = TestCgroup.Create();
        var quietMarker = $"quiet-{Guid.NewGuid():N}";
        await Trigger.RunAsync("/bin/sh", "/", "-c", $"echo $$ > {quiet.Procs}; /bin/true {quietMarker}");
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == quietMarker);

        // Throttling stops once the cgroup has been quiet for 5 s.
        var stop = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessThrottle?.Type == ThrottleType.ThrottleStop && e.ProcessThrottle.Cgroup == cgroup.Name, TimeSpan.FromSeconds(40));
        Assert.True(stop.Time.ToDateTimeOffset() - start.Time.ToDateTimeOffset() >= TimeSpan.FromSeconds(5), $"stopped at {stop.Time}, started at {start.Time}");

        var events = ExportFile.Read(agent.ExportFile).ToList();
        var execs = events.Count(e => e.ProcessExec?.Process.Arguments == marker);
        var exits = events.Count(e => e.ProcessExit?.Process.Arguments == marker);
        Assert.True(execs is > 0 and <= 40, $"{execs} of 300 execs of the throttled cgroup were reported (limit 20 events per 10 s)");
        Assert.True(execs + exits <= 60, $"{execs} execs and {exits} exits of 600 were reported");

        var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: ct);
        Assert.True(status.Counters.GetValueOrDefault("tetragon_cgroup_rate_dropped_events_total") >= (ulong)(600 - execs - exits - 40), string.Join(", ", status.Counters));

        // After the stop, the cgroup's events flow again.
        var afterMarker = $"after-{Guid.NewGuid():N}";
        await Trigger.RunAsync("/bin/sh", "/", "-c", $"echo $$ > {cgroup.Procs}; /bin/true {afterMarker}");
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == afterMarker);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task WithoutCgroupRateNothingIsThrottled()
    {
        using var cgroup = TestCgroup.Create();
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"unthrottled-{Guid.NewGuid():N}";

        await Trigger.RunAsync("/bin/sh", "/", "-c", $"echo $$ > {cgroup.Procs}; for i in $(seq 100); do /bin/true {marker}; done");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        var execs = 0;
        while (execs < 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            execs = ExportFile.Read(agent.ExportFile).Count(e => e.ProcessExec?.Process.Arguments == marker);
        }

        Assert.Equal(100, execs);
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessThrottle is not null);
    }

    /// <summary>A fresh cgroup v2 directory for the test's processes, removed when they are gone.</summary>
    private sealed class TestCgroup : IDisposable
    {
        private TestCgroup(string path) => Path = path;

        public string Path { get; }

        public string Name => System.IO.Path.GetFileName(Path);

        public string Procs => System.IO.Path.Combine(Path, "cgroup.procs");

        public static TestCgroup Create()
        {
            var root = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).First(f => f.Length > 2 && f[2] == "cgroup2")[1];
            var dir = Directory.CreateDirectory(System.IO.Path.Combine(root, $"tetragon-e2e-{Guid.NewGuid():N}"[..28]));
            return new TestCgroup(dir.FullName);
        }

        public void Dispose()
        {
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    Directory.Delete(Path);
                    return;
                }
                catch (IOException)
                {
                    Thread.Sleep(100); // its last process is still exiting
                }
            }
        }
    }
}
