using System.Diagnostics;
using Grpc.Core;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>Tetragon's policy-mode on the real kernel: monitor reports a Sigkill, enforce does it; set at load, in the policy and at run time.</summary>
public sealed class PolicyModeTests
{
    private static readonly string Mkdir = Trigger.Resolve("/usr/bin/mkdir");

    [Fact]
    public async Task MonitorReportsTheSigkillThatEnforceDoes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-mode-").FullName;
        Directory.CreateDirectory(root + "/forbidden");
        var yaml = TracingPolicyTests.MkdirKillPolicy("mode-kill", root + "/forbidden/").Replace("spec:\n", "spec:\n  options:\n  - name: policy-mode\n    value: monitor\n", StringComparison.Ordinal);
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = yaml }, cancellationToken: ct);
        Assert.Equal(TracingPolicyMode.TpModeMonitor, (await StatusAsync(agent, "mode-kill")).Mode);

        // Monitor: the mkdir runs, the event says what enforcement would have done.
        var (pid, exit) = await Trigger.RunAsync(Mkdir, root, root + "/forbidden/monitored");
        Assert.Equal(0, exit);
        Assert.True(Directory.Exists(root + "/forbidden/monitored"));
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(KprobeAction.Sigkill, ev.Action);
        Assert.Contains("monitored=1", (await StatusAsync(agent, "mode-kill")).Info, StringComparison.Ordinal);

        // Enforce at run time: the same mkdir is killed.
        await agent.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "mode-kill", Mode = TracingPolicyMode.TpModeEnforce }, cancellationToken: ct);
        Assert.Equal(TracingPolicyMode.TpModeEnforce, (await StatusAsync(agent, "mode-kill")).Mode);
        Assert.Equal(137, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/enforced")).ExitCode);

        // Back to monitor through tetra, as a user types it.
        var (code, output) = await TetraAsync(agent, "tracingpolicy", "set-mode", "mode-kill", "monitor");
        Assert.True(code == 0, output);
        Assert.Contains("mode-kill set to monitor mode", output, StringComparison.Ordinal);
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/again")).ExitCode);
        (code, output) = await TetraAsync(agent, "tracingpolicy", "list");
        Assert.Matches(@"mode-kill\s+enabled\s+.*\smonitor", output);

        // Disabled and enabled again, the mode stays.
        await agent.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "mode-kill", Enable = false }, cancellationToken: ct);
        await agent.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "mode-kill", Enable = true }, cancellationToken: ct);
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/still")).ExitCode);
    }

    [Fact]
    public async Task TetraAddInMonitorModeOverridesThePolicysEnforcement()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-mode-add-").FullName;
        Directory.CreateDirectory(root + "/forbidden");
        var file = Path.Combine(root, "policy.yaml");
        await File.WriteAllTextAsync(file, TracingPolicyTests.MkdirKillPolicy("mode-add", root + "/forbidden/"), TestContext.Current.CancellationToken);

        var (code, output) = await TetraAsync(agent, "tracingpolicy", "add", "--mode", "monitor", file);
        Assert.True(code == 0, output);

        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/x")).ExitCode);
        Assert.Equal(TracingPolicyMode.TpModeMonitor, (await StatusAsync(agent, "mode-add")).Mode);
    }

    [Fact]
    public async Task APolicyWithoutEnforcementHasNoModeToSetAndABadModeIsNamed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync();
        var observe = TracingPolicyTests.MkdirKillPolicy("mode-observe", "/nowhere/").Replace("action: Sigkill", "action: Post", StringComparison.Ordinal);
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = observe }, cancellationToken: ct);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "mode-observe", Mode = TracingPolicyMode.TpModeEnforce }, cancellationToken: ct));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("no enforcement action", refused.Status.Detail, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "no-such", Mode = TracingPolicyMode.TpModeMonitor }, cancellationToken: ct));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var bad = TracingPolicyTests.MkdirKillPolicy("mode-bad", "/nowhere/").Replace("spec:\n", "spec:\n  options:\n  - name: policy-mode\n    value: dryrun\n", StringComparison.Ordinal);
        var rejected = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = bad }, cancellationToken: ct));
        Assert.Contains("spec.options[0].value: policy-mode \"dryrun\" is not enforce or monitor", rejected.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<TracingPolicyStatus> StatusAsync(AgentProcess agent, string name) =>
        (await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies.Single(p => p.Name == name);

    private static async Task<(int Code, string Output)> TetraAsync(AgentProcess agent, params string[] args)
    {
        var (exit, stdout, stderr) = await TetraCli.RunAsync(agent, args);
        return (exit, stdout + stderr);
    }
}
