using Grpc.Core;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>--persist-grpc-policies: policies added with tetra come back, with their state, when the agent restarts.</summary>
public sealed class PersistedPolicyTests
{
    private static readonly string Mkdir = Trigger.Resolve("/bin/mkdir");

    [Fact]
    public async Task PoliciesAddedOverGrpcComeBackAfterARestartEnabledOrDisabledAsTheyWere()
    {
        var root = Directory.CreateTempSubdirectory("tp-persist-").FullName;
        var store = Path.Combine(root, "store");
        Directory.CreateDirectory(root + "/forbidden");
        Directory.CreateDirectory(root + "/paused");
        Directory.CreateDirectory(root + "/watched");
        string[] flags = ["--persist-grpc-policies", "--persist-grpc-policies-dir", store];

        await using (var first = await AgentProcess.StartAsync(flags))
        {
            await AddAsync(first, TracingPolicyTests.MkdirKillPolicy("persist-kill", root + "/forbidden/"));
            await AddAsync(first, TracingPolicyTests.MkdirKillPolicy("persist-paused", root + "/paused/"));
            await AddAsync(first, TracingPolicyTests.MkdirKillPolicy("persist-watched", root + "/watched/"));
            await first.Client.DisableTracingPolicyAsync(new DisableTracingPolicyRequest { Name = "persist-paused" }, cancellationToken: TestContext.Current.CancellationToken);
            await first.Client.ConfigureTracingPolicyAsync(new ConfigureTracingPolicyRequest { Name = "persist-watched", Mode = TracingPolicyMode.TpModeMonitor }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(0, await first.StopAsync());
        }

        Assert.Equal(["persist-kill.json", "persist-paused.json", "persist-watched.json"], Directory.GetFiles(store).Select(Path.GetFileName).Order());

        await using (var second = await AgentProcess.StartAsync(flags))
        {
            var policies = await ListAsync(second);
            Assert.Equal(TracingPolicyState.TpStateEnabled, policies["persist-kill"].State);
            Assert.Equal(TracingPolicyState.TpStateDisabled, policies["persist-paused"].State);
            Assert.Equal(137, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/x")).ExitCode); // enforced again, in the kernel
            Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/paused/x")).ExitCode);
            Assert.Equal(TracingPolicyMode.TpModeMonitor, policies["persist-watched"].Mode); // the mode set at run time came back
            Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/watched/x")).ExitCode);
            await second.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "persist-watched" }, cancellationToken: TestContext.Current.CancellationToken);

            await second.Client.EnableTracingPolicyAsync(new EnableTracingPolicyRequest { Name = "persist-paused" }, cancellationToken: TestContext.Current.CancellationToken);
            await second.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "persist-kill" }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(0, await second.StopAsync());
        }

        // Without the flag nothing is restored; with it, the last state is.
        await using (var plain = await AgentProcess.StartAsync())
        {
            Assert.Empty(await ListAsync(plain));
        }

        await using var third = await AgentProcess.StartAsync(flags);
        var last = await ListAsync(third);
        Assert.Equal(["persist-paused"], last.Keys);
        Assert.Equal(TracingPolicyState.TpStateEnabled, last["persist-paused"].State);
        Assert.Equal(137, (await Trigger.RunAsync(Mkdir, root, root + "/paused/y")).ExitCode);
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/y")).ExitCode);
    }

    [Fact]
    public async Task ABrokenRecordIsReportedAndTheOthersAreRestored()
    {
        var root = Directory.CreateTempSubdirectory("tp-persist-bad-").FullName;
        var store = Path.Combine(root, "store");
        Directory.CreateDirectory(store);
        File.WriteAllText(Path.Combine(store, "garbage.json"), "{ not json");
        File.WriteAllText(Path.Combine(store, "unknown-hook.json"), """{ "yaml": "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: unknown-hook\nspec:\n  kprobes:\n  - call: sys_no_such_call\n    syscall: true\n", "enabled": true }""");
        File.WriteAllText(
            Path.Combine(store, "persist-good.json"),
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["yaml"] = TracingPolicyTests.MkdirKillPolicy("persist-good", root + "/forbidden/"), ["enabled"] = true }));

        await using var agent = await AgentProcess.StartAsync("--persist-grpc-policies", "--persist-grpc-policies-dir", store);
        Assert.Equal(["persist-good"], (await ListAsync(agent)).Keys);
        Assert.Contains("garbage.json not restored", agent.Log, StringComparison.Ordinal);
        Assert.Contains("unknown-hook.json not restored", agent.Log, StringComparison.Ordinal);
        Assert.Contains("sys_no_such_call", agent.Log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(store, "garbage.json"))); // kept for the user to look at

        // A record that did not load can still be deleted by its policy's name.
        await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "unknown-hook" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(File.Exists(Path.Combine(store, "unknown-hook.json")));
        await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "never-added" }, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task APolicyThatCannotBeRecordedIsNotLoaded()
    {
        var root = Directory.CreateTempSubdirectory("tp-persist-ro-").FullName;
        var store = Path.Combine(root, "store");
        await using var agent = await AgentProcess.StartAsync("--persist-grpc-policies", "--persist-grpc-policies-dir", store);
        Directory.Delete(store);
        File.WriteAllText(store, "a file where the store was"); // records cannot be written any more

        var e = await Assert.ThrowsAsync<RpcException>(() => AddAsync(agent, TracingPolicyTests.MkdirKillPolicy("persist-lost", root + "/forbidden/")));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("policy \"persist-lost\" not added: cannot record it in " + store, e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await ListAsync(agent)); // loaded, then unloaded: not enforced without its record
        Directory.CreateDirectory(root + "/forbidden");
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/x")).ExitCode);
    }

    private static async Task AddAsync(AgentProcess agent, string yaml) =>
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = yaml }, cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<Dictionary<string, TracingPolicyStatus>> ListAsync(AgentProcess agent) =>
        (await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies.ToDictionary(p => p.Name);
}
