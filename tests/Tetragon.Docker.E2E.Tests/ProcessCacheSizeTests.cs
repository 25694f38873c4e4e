using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>--process-cache-size on the real kernel: the cache stays within its bound and keeps reporting.</summary>
public sealed class ProcessCacheSizeTests
{
    [Fact]
    public async Task ABoundedCacheEvictsTheLeastRecentlyUsedAndKeepsReportingNewProcesses()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync("--process-cache-size", "32");
        var marker = $"bounded-{Guid.NewGuid():N}";

        // 100 live sleepers from one shell, far past 32 pids; the shell itself stays in use with each fork.
        var run = await Trigger.RunAsync("/bin/sh", "/", "-c", $"for i in $(seq 100); do sleep 30 & p=\"$p $!\"; done; /bin/true {marker}; kill $p");
        Assert.Equal(0, run.ExitCode);

        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker);
        Assert.EndsWith("/true", exec.ProcessExec.Process.Binary, StringComparison.Ordinal);
        Assert.EndsWith("sh", exec.ProcessExec.Parent?.Binary, StringComparison.Ordinal);
        Assert.Equal((uint)run.Pid, exec.ProcessExec.Parent!.Pid);

        var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: ct);
        var counters = string.Join(", ", status.Counters);
        Assert.Equal(32UL, status.Counters["tetragon_process_cache_capacity"]);
        Assert.True(status.Counters["tetragon_process_cache_size"] <= 32, counters);
        Assert.True(status.Counters.GetValueOrDefault("tetragon_process_cache_evicted_total") >= 68, counters);
        Assert.False(agent.HasExited);
    }
}
