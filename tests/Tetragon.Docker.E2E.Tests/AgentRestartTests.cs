using System.Diagnostics;
using Tetragon.Docker.Api;
using Process = System.Diagnostics.Process;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>An agent killed with SIGKILL leaves nothing attached; a restarted one rebuilds its cache.</summary>
public sealed class AgentRestartTests
{
    [Fact]
    public async Task SigkilledAgentLeavesNoProgramAndARestartRebuildsTheCache()
    {
        var first = await AgentProcess.StartAsync();
        var programs = ProgramIdsOf(first.Pid);
        Assert.Equal(3, programs.Count); // exec, exit, fork
        using var survivor = Trigger.Start(Trigger.Resolve("/bin/sh"), "/", "-c", "read line; /bin/true survivor-child");
        await ExportFile.WaitForAsync(first.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)survivor.Id);
        var firstExport = ExportFile.Read(first.ExportFile).ToList();

        Posix.Kill(first.Pid, Posix.SigKill);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!first.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(first.HasExited);
        var loaded = AllProgramIds();
        Assert.DoesNotContain(programs, loaded.Contains);
        await first.DisposeAsync();

        await using var second = await AgentProcess.StartAsync();
        await survivor.StandardInput.WriteLineAsync("go".AsMemory(), TestContext.Current.CancellationToken);
        survivor.StandardInput.Close();
        var exec = (await ExportFile.WaitForAsync(second.ExportFile, e => e.ProcessExec?.Process.Arguments == "survivor-child")).ProcessExec;
        Assert.Equal((uint)survivor.Id, exec.Parent.Pid);
        Assert.Contains("procFS", exec.Parent.Flags.Split(' '));

        // No exec_id names two different processes, across both runs.
        var byId = firstExport.Concat(ExportFile.Read(second.ExportFile))
            .Select(e => e.ProcessExec?.Process)
            .OfType<Api.Process>()
            .GroupBy(p => p.ExecId);
        Assert.All(byId, g => Assert.Single(g.Select(p => (p.Pid, p.Binary, p.Arguments)).Distinct()));
    }

    /// <summary>Program ids a process holds, from its fdinfo (bpf-prog fds carry "prog_id:").</summary>
    private static HashSet<int> ProgramIdsOf(int pid)
    {
        var ids = new HashSet<int>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is not "anon_inode:bpf-prog")
            {
                continue;
            }

            foreach (var line in File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}"))
            {
                if (line.StartsWith("prog_id:", StringComparison.Ordinal))
                {
                    ids.Add(int.Parse(line["prog_id:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return ids;
    }

    private static HashSet<int> AllProgramIds()
    {
        var info = new ProcessStartInfo("bpftool", ["-j", "prog", "show"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var bpftool = Process.Start(info)!;
        var json = bpftool.StandardOutput.ReadToEnd();
        bpftool.WaitForExit();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32())];
    }
}
