using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task PrometheusEndpointShowsThePipelineCountersWithTetragonsLabels()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = 22000 + (Environment.ProcessId % 1000);
        await using var agent = await AgentProcess.StartAsync("--metrics-server", $"localhost:{port}");
        var root = Directory.CreateTempSubdirectory("metrics-").FullName;
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = TracingPolicyTests.MkdirPolicy("metrics-mkdir", root + "/", "") }, cancellationToken: ct);
        await Trigger.RunAsync(Trigger.Resolve("/bin/mkdir"), root, root + "/a");
        await Trigger.RunAsync(Trigger.Resolve("/bin/mkdir"), root, root + "/b");
        await Trigger.RunAsync("/bin/true", "/");

        using var http = new HttpClient();
        const string PolicyLine = "tetragon_policy_events_total{policy=\"metrics-mkdir\",hook=\"kprobe:__x64_sys_mkdir\"} 2";
        string text = "";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !(text.Contains(PolicyLine, StringComparison.Ordinal) && text.Contains("type=\"PROCESS_KPROBE\"} 2", StringComparison.Ordinal)))
        {
            text = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"), ct);
            await Task.Delay(100, ct);
        }

        // Dashboards built on Tetragon's series work unchanged: events by type, policy events by policy and hook.
        Assert.Matches("tetragon_events_total\\{type=\"PROCESS_EXEC\"\\} [1-9]", text);
        Assert.Matches("tetragon_events_total\\{type=\"PROCESS_EXIT\"\\} [1-9]", text);
        Assert.Contains("tetragon_events_total{type=\"PROCESS_KPROBE\"} 2", text, StringComparison.Ordinal);
        Assert.Contains(PolicyLine, text, StringComparison.Ordinal);
        Assert.Contains("tetragon_bpf_missed_events_total 0", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_ringbuf_perf_event_lost_total 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tetragon_missed_events_total{", text, StringComparison.Ordinal); // no opcode lost anything
        Assert.Contains("tetragon_notify_overflowed_events_total 0", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_process_cache_size ", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_process_cache_capacity 65536", text, StringComparison.Ordinal);
    }
}
