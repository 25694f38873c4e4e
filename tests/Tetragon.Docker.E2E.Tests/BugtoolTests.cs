using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Tetragon.Docker.E2E.Tests;

/// <summary><c>tetra bugtool</c> against a running agent: the archive a bug report needs.</summary>
public sealed class BugtoolTests
{
    [Fact]
    public async Task TheArchiveHoldsTheAgentsStatePoliciesAndSensors()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync();
        await agent.Client.AddTracingPolicyAsync(new Api.AddTracingPolicyRequest { Yaml = TracingPolicyTests.MkdirKillPolicy("bugtool-policy", "/nowhere/") }, cancellationToken: ct);
        var archive = Path.Combine(agent.Directory, "bugtool.tar.gz");

        var info = new ProcessStartInfo(Paths.Cli, ["--server-address", $"unix://{agent.Socket}", "bugtool", "--out", archive]) { RedirectStandardOutput = true, UseShellExecute = false };
        using (var tetra = System.Diagnostics.Process.Start(info)!)
        {
            var output = await tetra.StandardOutput.ReadToEndAsync(ct);
            await tetra.WaitForExitAsync(ct);
            Assert.True(tetra.ExitCode == 0, output);
        }

        var files = new Dictionary<string, string>();
        await using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        {
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                using var reader = new StreamReader(entry.DataStream!);
                files[entry.Name] = await reader.ReadToEndAsync(ct);
            }
        }

        Assert.Contains("\"tetragon_events_total\"", files["tetragon-bugtool/agent/status.json"], StringComparison.Ordinal);
        Assert.Contains("\"bugtool-policy\"", files["tetragon-bugtool/agent/tracingpolicies.json"], StringComparison.Ordinal);
        Assert.Contains("\"__base__\"", files["tetragon-bugtool/agent/sensors.json"], StringComparison.Ordinal);
        Assert.Contains("HEALTH_STATUS_RUNNING", files["tetragon-bugtool/agent/health.json"], StringComparison.Ordinal);
        Assert.DoesNotContain(files.Keys, k => k.StartsWith("tetragon-bugtool/agent/", StringComparison.Ordinal) && k.EndsWith(".error", StringComparison.Ordinal));
    }
}
