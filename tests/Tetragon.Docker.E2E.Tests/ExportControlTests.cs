using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>What goes into the JSON export: --export-allowlist, --export-denylist and --export-rate-limit on the real agent.</summary>
public sealed class ExportControlTests
{
    private static readonly string Env = Trigger.Resolve("/usr/bin/env");

    [Fact]
    public async Task TheExportKeepsWhatTheAllowlistAllowsAndTheDenylistDoesNot()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using var agent = await AgentProcess.StartAsync(
            "--export-allowlist", "{\"event_set\":[\"PROCESS_EXEC\"]}",
            "--export-denylist", $"{{\"arguments_regex\":[\"deny-{marker}\"]}}\n{{\"binary_regex\":[\"/sleep$\"]}}");

        // A gRPC stream is not filtered by the export's lists: it sees every event.
        using var stream = agent.Client.GetEvents(new GetEventsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var seen = Collect(stream);
        await WaitUntilAsync(async () =>
        {
            var sentinel = await Trigger.RunAsync(Env, "/", "true"); // until the stream is subscribed
            await Task.Delay(100);
            return seen.Any(e => e.ProcessExec?.Process.Pid == (uint)sentinel.Pid);
        });

        var denied = await Trigger.RunAsync(Env, "/", "true", $"deny-{marker}");
        await Trigger.RunAsync(Trigger.Resolve("/bin/sleep"), "/", "0");
        var kept = await Trigger.RunAsync(Env, "/", "true", $"keep-{marker}");

        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)kept.Pid);
        await WaitUntilAsync(() => Task.FromResult(seen.Any(e => e.ProcessExit?.Process.Pid == (uint)kept.Pid)));
        Assert.Contains(seen, e => e.ProcessExec?.Process.Pid == (uint)denied.Pid);
        var exported = ExportFile.Read(agent.ExportFile).ToList();
        Assert.DoesNotContain(exported, e => e.ProcessExec?.Process.Arguments.Contains($"deny-{marker}") == true);
        Assert.DoesNotContain(exported, e => e.ProcessExec?.Process.Binary.EndsWith("/sleep", StringComparison.Ordinal) == true);
        Assert.All(exported, e => Assert.Equal(GetEventsResponse.EventOneofCase.ProcessExec, e.EventCase)); // no exits: not allowed
        var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0ul, status.Counters.GetValueOrDefault("tetragon_export_dropped_total")); // kept out is not dropped
    }

    [Fact]
    public async Task SecretsInArgumentsAreRedactedInEveryEventEvenOfProcessesFromBeforeTheStart()
    {
        var secret = $"s3cret-{Guid.NewGuid():N}";
        var shell = Trigger.Resolve("/bin/sh");

        // Started before the agent: known from /proc, as the parent of what it runs next.
        using var early = Trigger.Start(shell, "/", "-c", "sleep 3; /usr/bin/env true", "sh", $"--password={secret}");
        await using var agent = await AgentProcess.StartAsync(
            "--redaction-filters",
            """
            {"redact": ["--password(?:\\s+|=)(\\S*)"]}
            {"binary_regex": ["(?:^|/)env$"], "redact": ["-p\\s+(\\S+)"]}
            """);
        var (pid, _) = await Trigger.RunAsync(Env, "/", "true", "-p", secret, "--password", secret);

        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid && e.ProcessExec.Process.Binary == Env);
        Assert.Equal("true -p ***** --password *****", exec.ProcessExec.Process.Arguments);
        // env then runs true with the same arguments: -p is redacted for env only.
        var child = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid && e.ProcessExec.Process.Binary != Env);
        Assert.Equal($"-p {secret} --password *****", child.ProcessExec.Process.Arguments);

        var late = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Parent?.Pid == (uint)early.Id, TimeSpan.FromSeconds(20));
        Assert.Contains("procFS", late.ProcessExec.Parent.Flags);
        Assert.Equal("-c \"sleep 3; /usr/bin/env true\" sh --password=*****", late.ProcessExec.Parent.Arguments);
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Pid == (uint)pid && e.ProcessExit.Process.Binary != Env);
        // Only true's exec and exit hold the secret, in its "-p" that only env's filter redacts.
        Assert.Equal(2, File.ReadAllLines(agent.ExportFile).Count(l => l.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FieldFiltersTrimTheExportAndEachGrpcStreamOnItsOwn()
    {
        await using var agent = await AgentProcess.StartAsync(
            "--field-filters",
            """
            {"fields":"process.binary,process.pid", "event_set":["PROCESS_EXEC"], "action":"INCLUDE"}
            {"fields":"parent", "action":"EXCLUDE"}
            """);
        var request = new GetEventsRequest();
        request.FieldFilters.Add(new FieldFilter { Fields = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "process.exec_id", "process.pid" } }, Action = FieldFilterAction.Include });
        using var stream = agent.Client.GetEvents(request, cancellationToken: TestContext.Current.CancellationToken);
        var seen = Collect(stream);
        var pid = 0;
        await WaitUntilAsync(async () =>
        {
            pid = (await Trigger.RunAsync(Env, "/tmp", "true", "field-filters")).Pid; // until the stream is subscribed
            await Task.Delay(100);
            return seen.Any(e => e.ProcessExit?.Process.Pid == (uint)pid);
        });

        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid);
        Assert.Equal(new ProcessExec { Process = new Api.Process { Pid = (uint)pid, Binary = Env } }, exec.ProcessExec);
        Assert.NotEmpty(exec.NodeName);
        var exit = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Pid == (uint)pid);
        Assert.Null(exit.ProcessExit.Parent);
        Assert.Equal("/tmp", exit.ProcessExit.Process.Cwd); // EXCLUDE parent only

        var streamed = seen.First(e => e.ProcessExit?.Process.Pid == (uint)pid).ProcessExit;
        Assert.Equal(new Api.Process { Pid = (uint)pid, ExecId = exit.ProcessExit.Process.ExecId }, streamed.Process);
        Assert.Null(streamed.Parent);
    }

    [Fact]
    public async Task FlagsComeFromTheConfigDirectoryAFilePerFlag()
    {
        var conf = Directory.CreateTempSubdirectory("tetragon.conf.d-").FullName;
        File.WriteAllText(Path.Combine(conf, "node-name"), "node-from-conf-d\n");
        File.WriteAllText(Path.Combine(conf, "export-denylist"), "{\"event_set\":[\"PROCESS_EXIT\"]}\n");
        await using var agent = await AgentProcess.StartAsync("--config-dir", conf);

        var (pid, _) = await Trigger.RunAsync(Env, "/", "true");
        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid);
        Assert.Equal("node-from-conf-d", exec.NodeName);
        Assert.Equal(0, await agent.StopAsync());
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessExit is not null);
    }

    [Fact]
    public async Task AncestorsAreListedForExecExitAndHookEventsWhenEnabled()
    {
        var root = Directory.CreateTempSubdirectory("ancestors-").FullName;
        Directory.CreateDirectory(root + "/forbidden");
        await using var agent = await AgentProcess.StartAsync("--enable-ancestors", "base,kprobe");
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = TracingPolicyTests.MkdirKillPolicy("ancestors-mkdir", root + "/forbidden/") }, cancellationToken: TestContext.Current.CancellationToken);
        var shell = Trigger.Resolve("/bin/sh");

        var (outer, _) = await Trigger.RunAsync(shell, root, "-c", $"{shell} -c '/usr/bin/env true; mkdir {root}/forbidden/x; true'; true"); // "; true": no exec in place

        var env = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Binary == Env && e.ProcessExec.Parent?.Pid != (uint)outer && e.ProcessExec.Ancestors.Count > 0 && e.ProcessExec.Ancestors[0].Pid == (uint)outer)).ProcessExec;
        var chain = env.Ancestors.Select(a => a.Pid!.Value).ToList();
        Assert.Equal((uint)Environment.ProcessId, chain[1]); // the outer shell's parent: this test
        Assert.True(chain[^1] <= 2, $"the chain ends at init or kthreadd: {string.Join(" ", chain)}");
        Assert.Equal(chain.Count, chain.Distinct().Count());

        // env runs true in its place: the exit is true's, with the same parent and ancestors.
        var exit = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Pid == env.Process.Pid)).ProcessExit;
        Assert.Equal(chain, exit.Ancestors.Select(a => a.Pid!.Value));

        var kprobe = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.PolicyName == "ancestors-mkdir")).ProcessKprobe;
        Assert.Equal(chain, kprobe.Ancestors.Select(a => a.Pid!.Value));
    }

    /// <summary>Everything the stream sends, as it arrives, read in the background until the stream ends.</summary>
    private static System.Collections.Concurrent.ConcurrentQueue<GetEventsResponse> Collect(Grpc.Core.AsyncServerStreamingCall<GetEventsResponse> stream)
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<GetEventsResponse>();
        _ = Task.Run(async () =>
        {
            while (await stream.ResponseStream.MoveNext(TestContext.Current.CancellationToken))
            {
                seen.Enqueue(stream.ResponseStream.Current);
            }
        }, TestContext.Current.CancellationToken);
        return seen;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task TheRateLimitCapsTheExportAndTheExportSaysHowManyItDropped()
    {
        await using var agent = await AgentProcess.StartAsync("--export-rate-limit", "20");
        var burst = await Trigger.RunAsync(Trigger.Resolve("/bin/sh"), "/", "-c", "for i in $(seq 100); do /bin/true; done");
        Assert.Equal(0, burst.ExitCode);

        // 200 events from the burst alone (an exec and an exit each): the limit lets 20 through, plus what a
        // few seconds refill at 20 a minute; the rest is counted as it is refused.
        ulong refused = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (refused < 150 && DateTime.UtcNow < deadline)
        {
            var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
            refused = status.Counters.GetValueOrDefault("tetragon_ratelimit_dropped_total");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(refused >= 150, $"only {refused} events refused by the rate limit");
        Assert.Equal(0, await agent.StopAsync());

        // The minute is not over: the report comes at shutdown, and counts every refused event.
        var exported = ExportFile.Read(agent.ExportFile).ToList();
        var events = exported.Count(e => e.RateLimitInfo is null);
        var reported = exported.Where(e => e.RateLimitInfo is not null).Sum(e => (long)e.RateLimitInfo.NumberOfDroppedProcessEvents);
        Assert.InRange(events, 20, 25);
        Assert.True(reported >= (long)refused, $"the export reports {reported} dropped, the agent counted {refused}");
        Assert.Equal(GetEventsResponse.EventOneofCase.RateLimitInfo, exported[^1].EventCase);
        Assert.NotEmpty(exported[^1].NodeName);
    }
}
