using System.Diagnostics;
using Grpc.Core;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>GetDebug/SetDebug and their tetra verbs against a real agent.</summary>
public sealed class DebugTests
{
    private static Task<(int Exit, string Out, string Err)> TetraAsync(AgentProcess agent, params string[] args) => TetraCli.RunAsync(agent, args);

    /// <summary>The agent's stderr is read by another thread: a line may land a moment after the call.</summary>
    private static async Task<bool> LoggedAsync(AgentProcess agent, string text)
    {
        for (var i = 0; i < 50 && !agent.Log.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return agent.Log.Contains(text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLogLevelIsReadAndChangedWhileTheAgentRuns()
    {
        await using var agent = await AgentProcess.StartAsync();
        Assert.Equal((0, "info\n", ""), await TetraAsync(agent, "loglevel", "get"));
        Assert.DoesNotContain("asked for the log level", agent.Log, StringComparison.Ordinal); // a debug line, below info

        Assert.Equal((0, "log level set to debug\n", ""), await TetraAsync(agent, "loglevel", "set", "debug"));
        Assert.Equal(LogLevel.Debug, (await agent.Client.GetDebugAsync(new GetDebugRequest { Flag = ConfigFlag.LogLevel }, cancellationToken: TestContext.Current.CancellationToken)).Level);
        Assert.True(await LoggedAsync(agent, "asked for the log level"), agent.Log); // now logged
        Assert.True(await LoggedAsync(agent, "log level changed from Info to Debug"), agent.Log);

        var (exit, _, err) = await TetraAsync(agent, "loglevel", "set", "loud");
        Assert.Equal(1, exit);
        Assert.Contains("unknown log level \"loud\"", err, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.SetDebugAsync(new SetDebugRequest { Flag = ConfigFlag.LogLevel, Level = (LogLevel)42 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var notSettable = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.SetDebugAsync(new SetDebugRequest { Flag = ConfigFlag.DumpProcessCache }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, notSettable.StatusCode);
        Assert.Equal(LogLevel.Debug, (await agent.Client.GetDebugAsync(new GetDebugRequest { Flag = ConfigFlag.LogLevel }, cancellationToken: TestContext.Current.CancellationToken)).Level); // unchanged by the bad calls
    }

    [Fact]
    public async Task TheProcessCacheDumpHoldsProcessesFromBeforeAndAfterTheStart()
    {
        var before = $"before-{Guid.NewGuid():N}";
        using var older = Trigger.Start("/bin/sh", "/", "-c", $"exec sleep 60 # {before}");
        await Task.Delay(200, TestContext.Current.CancellationToken);
        await using var agent = await AgentProcess.StartAsync();
        var after = $"after-{Guid.NewGuid():N}";
        using var newer = Trigger.Start("/bin/sh", "/", "-c", $"exec sleep 60 # {after}");
        try
        {
            await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)newer.Id && e.ProcessExec.Process.Binary.EndsWith("/sleep", StringComparison.Ordinal));
            var dump = (await agent.Client.GetDebugAsync(new GetDebugRequest { Flag = ConfigFlag.DumpProcessCache, Dump = new DumpProcessCacheReqArgs { SkipZeroRefcnt = true } }, cancellationToken: TestContext.Current.CancellationToken)).Processes.Processes;

            var old = Assert.Single(dump, p => p.Process.Pid == (uint)older.Id);
            Assert.Contains("procFS", old.Process.Flags, StringComparison.Ordinal);
            var young = Assert.Single(dump, p => p.Process.Pid == (uint)newer.Id);
            Assert.Contains("execve", young.Process.Flags, StringComparison.Ordinal);
            Assert.EndsWith("/sleep", young.Process.Binary, StringComparison.Ordinal);
            Assert.True(young.Refcnt >= 1);
            Assert.Contains(dump, p => p.Process.Pid == 1u); // init, from the start-up scan

            // tetra dump processcache: the same, one JSON object per line.
            var (exit, output, _) = await TetraAsync(agent, "dump", "processcache");
            Assert.Equal(0, exit);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var parsed = lines.Select(l => Google.Protobuf.JsonParser.Default.Parse<ProcessInternal>(l)).ToList();
            Assert.Contains(parsed, p => p.Process.Pid == (uint)newer.Id && p.Process.ExecId == young.Process.ExecId);
            Assert.Contains("\"exec_id\"", lines[0], StringComparison.Ordinal); // proto field names, as Tetragon prints them
        }
        finally
        {
            older.Kill();
            newer.Kill();
        }
    }
}
