namespace Tetragon.Docker.E2E.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task PrometheusEndpointShowsThePipelineCounters()
    {
        var port = 22000 + (Environment.ProcessId % 1000);
        await using var agent = await AgentProcess.StartAsync("--metrics-server", $"localhost:{port}");
        await Trigger.RunAsync("/bin/true", "/");
        using var http = new HttpClient();
        string text = "";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !text.Contains("tetragon_events_total ", StringComparison.Ordinal))
        {
            text = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"), TestContext.Current.CancellationToken);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Contains("tetragon_events_total ", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_bpf_missed_events_total 0", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_process_cache_size ", text, StringComparison.Ordinal);
        Assert.Contains("tetragon_process_cache_capacity 65536", text, StringComparison.Ordinal);
    }
}
