using System.Diagnostics;
using Process = System.Diagnostics.Process;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>The spine end to end: real execs and exits, seen by the real agent, in its JSON export and over gRPC.</summary>
public sealed class ProcessLifecycleTests
{
    private static readonly string Shell = Trigger.Resolve("/bin/sh");
    private static readonly string Sleep = Trigger.Resolve("/bin/sleep");

    [Fact]
    public async Task ExecAndExitAreExportedWithArgumentsCwdAndParent()
    {
        await using var agent = await AgentProcess.StartAsync("--enable-process-cred", "--enable-process-ns");
        var cwd = Directory.CreateTempSubdirectory("cwd with space-").FullName;
        var marker = $"marker-{Guid.NewGuid():N}";

        var (pid, exitCode) = await Trigger.RunAsync(Shell, cwd, "-c", "exit 3", marker);
        Assert.Equal(3, exitCode);

        var exec = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid)).ProcessExec;
        Assert.Equal(Shell, exec.Process.Binary);
        Assert.Equal($"-c \"exit 3\" {marker}", exec.Process.Arguments);
        Assert.Equal(cwd, exec.Process.Cwd);
        Assert.Equal((uint)Environment.ProcessId, exec.Parent.Pid);
        Assert.Equal(Trigger.Resolve($"/proc/{Environment.ProcessId}/exe"), exec.Parent.Binary);
        Assert.Equal(exec.Parent.ExecId, exec.Process.ParentExecId);
        Assert.Equal(0u, exec.Process.Uid);
        Assert.Contains("execve", exec.Process.Flags.Split(' '));
        Assert.Contains("clone", exec.Process.Flags.Split(' '));
        Assert.Contains(CapabilitiesType.CapSysAdmin, exec.Process.Cap.Effective);
        Assert.NotEqual(0u, exec.Process.Ns.Mnt.Inum);
        Assert.True(exec.Process.Ns.Pid.IsHost);

        var exit = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Pid == (uint)pid)).ProcessExit;
        Assert.Equal(exec.Process.ExecId, exit.Process.ExecId);
        Assert.Equal(3u, exit.Status);
        Assert.Equal("", exit.Signal);
        Assert.Equal(exec.Parent.ExecId, exit.Parent.ExecId);
    }

    [Fact]
    public async Task InInitTreeHoldsForAPidNamespacesInitAndItsChildrenNotForWhatNsenterPutsIn()
    {
        // A container without Docker: unshare makes a pid namespace whose pid 1 is the shell;
        // nsenter then does what `docker exec` does, forking a process into it from outside.
        await using var agent = await AgentProcess.StartAsync("--enable-process-ns");
        var inside = $"init-tree-{Guid.NewGuid():N}";
        var entered = $"entered-{Guid.NewGuid():N}";
        var host = $"host-{Guid.NewGuid():N}";
        using var container = Trigger.Start("/usr/bin/unshare", "/", "--pid", "--fork", "--", Shell, "-c", $"/bin/true {inside}; exec {Sleep} 60");
        try
        {
            var child = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == inside)).ProcessExec;
            Assert.True(child.Process.InInitTree);
            Assert.True(child.Parent.InInitTree); // the shell, the namespace's pid 1
            Assert.False(child.Process.Ns.Pid.IsHost);

            var shell = child.Parent.Pid!.Value;
            Assert.Equal(0, (await Trigger.RunAsync("/usr/bin/nsenter", "/", "--target", shell.ToString(), "--pid", "--", "/bin/true", entered)).ExitCode);
            var injected = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == entered)).ProcessExec.Process;
            Assert.False(injected.InInitTree);
            Assert.Equal(child.Process.Ns.Pid.Inum, injected.Ns.Pid.Inum);

            await Trigger.RunAsync("/bin/true", "/", host);
            var onHost = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == host)).ProcessExec.Process;
            Assert.Null(onHost.InInitTree); // not containerized: the field is left out
        }
        finally
        {
            container.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task UsernameMetadataUnixNamesHostProcessesUsersFromPasswd()
    {
        await using var agent = await AgentProcess.StartAsync("--username-metadata", "unix");
        var nobody = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f.Length > 2 && f[2] == "65534")[0];

        async Task<Api.Process> Exec(string binary, params string[] args)
        {
            var marker = $"user-{Guid.NewGuid():N}";
            await Trigger.RunAsync(binary, "/", [.. args, marker]);
            // The exec of /bin/true itself, not of the setpriv or unshare before it.
            return (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker)).ProcessExec.Process;
        }

        Assert.Equal("root", (await Exec("/bin/true")).User?.Name);
        Assert.Equal(nobody, (await Exec("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/true")).User?.Name);
        // Another mount namespace (a container's view of the files): its passwd is not the host's.
        Assert.Null((await Exec("/usr/bin/unshare", "-m", "--", "/bin/true")).User);
    }

    [Fact]
    public async Task WithoutUsernameMetadataNoUserIsReported()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"nouser-{Guid.NewGuid():N}";
        await Trigger.RunAsync("/bin/true", "/", marker);
        Assert.Null((await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker)).ProcessExec.Process.User);
    }

    [Fact]
    public async Task DeepPathsThroughABindMountAreReportedWhole()
    {
        // The exec hook reads the first components with direct loads and hands the rest (and any
        // mount boundary) to its helper walk. A bind mount of a subdirectory has a mount root
        // whose parent is a real directory ("inner"), which the walk must not step into.
        await using var agent = await AgentProcess.StartAsync();
        var source = Directory.CreateTempSubdirectory("tg-src-").FullName;
        var inner = Directory.CreateDirectory(Path.Combine(source, "inner")).FullName;
        var mountPoint = Directory.CreateTempSubdirectory("tg-mnt-").FullName;
        Assert.Equal(0, (await Trigger.RunAsync("/bin/mount", "/", "--bind", inner, mountPoint)).ExitCode);
        try
        {
            var levels = Enumerable.Range(1, 12).Select(i => $"level-{i}").ToArray();
            Directory.CreateDirectory(Path.Combine([inner, .. levels]));
            var deep = Path.Combine([mountPoint, .. levels]);
            var binary = Path.Combine(deep, "true-copy");
            File.Copy(Trigger.Resolve("/bin/true"), binary); // keeps its mode, 0755
            var shallowBinary = Path.Combine(mountPoint, "true-copy");
            File.Copy(binary, shallowBinary);
            var shallow = Path.Combine(mountPoint, levels[0]);

            // Deep: the helper walk meets the mount root. Shallow: the direct loads meet it.
            foreach (var (bin, cwd) in new[] { (binary, deep), (shallowBinary, shallow) })
            {
                var marker = $"bind-{Guid.NewGuid():N}";
                var (pid, _) = await Trigger.RunAsync(bin, cwd, marker);

                var exec = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)pid)).ProcessExec;
                Assert.Equal(bin, exec.Process.Binary);
                Assert.Equal(cwd, exec.Process.Cwd);
                Assert.Equal(marker, exec.Process.Arguments);
            }
        }
        finally
        {
            await Trigger.RunAsync("/bin/umount", "/", "--lazy", mountPoint);
            Directory.Delete(mountPoint);
            Directory.Delete(source, recursive: true);
        }
    }

    [Fact]
    public async Task TheEnvironmentIsCapturedAtExecWhenAskedAndFilteredByName()
    {
        await using var agent = await AgentProcess.StartAsync("--enable-process-environment-variables", "--filter-environment-variables", "TG_MARK,LD_PRELOAD");
        var marker = $"env-{Guid.NewGuid():N}";

        await Trigger.RunAsync("/usr/bin/env", "/", "-i", $"TG_MARK={marker}", "OTHER=not-kept", "LD_PRELOAD=", "/bin/true", marker);

        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker);
        Assert.Equal([("TG_MARK", marker), ("LD_PRELOAD", "")], exec.ProcessExec.Process.EnvironmentVariables.Select(v => (v.Key, v.Value)));

        // Tetragon's JSON keys: the EnvVar fields are capitalised.
        var line = File.ReadLines(agent.ExportFile).Select(l => l.Replace(" ", "", StringComparison.Ordinal))
            .First(l => l.StartsWith("{\"process_exec\"", StringComparison.Ordinal) && l.Contains($"\"arguments\":\"{marker}\"", StringComparison.Ordinal));
        Assert.Contains($"\"environment_variables\":[{{\"Key\":\"TG_MARK\",\"Value\":\"{marker}\"}}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheFlagNoEnvironmentIsCaptured()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"noenv-{Guid.NewGuid():N}";

        await Trigger.RunAsync("/usr/bin/env", "/", "-i", $"TG_MARK={marker}", "/bin/true", marker);

        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker);
        Assert.Empty(exec.ProcessExec.Process.EnvironmentVariables);
    }

    [Fact]
    public async Task SigkilledProcessExitsWithSignalName()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var victim = Trigger.Start(Sleep, "/", "300");
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Pid == (uint)victim.Id);
        Posix.Kill(victim.Id, Posix.SigKill);
        await victim.WaitForExitAsync(TestContext.Current.CancellationToken);

        var exit = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Pid == (uint)victim.Id)).ProcessExit;
        Assert.True(exit.Signal == "SIGKILL", $"exit event: {exit}");
        Assert.Equal(Sleep, exit.Process.Binary);
        Assert.Equal("300", exit.Process.Arguments);
        Assert.Contains("rootcwd", exit.Process.Flags.Split(' '));

        // Tetragon's defaults: cap needs --enable-process-cred, ns --enable-process-ns.
        Assert.Null(exit.Process.Cap);
        Assert.Null(exit.Process.Ns);
        Assert.Null(exit.Process.ProcessCredentials);
    }

    [Fact]
    public async Task ProcessStartedBeforeTheAgentIsAParentFlaggedProcFs()
    {
        // sh waits on its stdin, started before the agent; then it runs a child.
        using var early = Trigger.Start(Shell, "/", "-c", "read line; /bin/true early-child");
        await using var agent = await AgentProcess.StartAsync();
        await early.StandardInput.WriteLineAsync("go".AsMemory(), TestContext.Current.CancellationToken);
        early.StandardInput.Close();
        await early.WaitForExitAsync(TestContext.Current.CancellationToken);

        var exec = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == "early-child")).ProcessExec;
        Assert.Equal((uint)early.Id, exec.Parent.Pid);
        Assert.Contains("procFS", exec.Parent.Flags.Split(' '));
        Assert.Equal(Shell, exec.Parent.Binary);
        Assert.Equal("-c \"read line; /bin/true early-child\"", exec.Parent.Arguments);
        Assert.Equal(exec.Parent.ExecId, exec.Process.ParentExecId);
    }

    [Fact]
    public async Task GetEventsOverGrpcThroughTetraStreamsTheSameEvents()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"grpc-{Guid.NewGuid():N}";
        GetEventsResponse? exit;
        List<GetEventsResponse> events;
        await using (var tetra = new TetraStream(agent, "--process", "sh$"))
        {
            exit = await tetra.TriggerUntilAsync(
                () => Trigger.RunAsync(Shell, "/tmp", "-c", "exit 3", marker),
                e => e.ProcessExit?.Process.Arguments.EndsWith(marker, StringComparison.Ordinal) == true);
            events = tetra.Events();
        }

        Assert.NotNull(exit);
        Assert.Equal(3u, exit.ProcessExit.Status);
        Assert.Equal(Shell, exit.ProcessExit.Process.Binary);
        Assert.Equal("/tmp", exit.ProcessExit.Process.Cwd);

        // The --process filter ran in the agent: only shells came through.
        Assert.All(events, e => Assert.EndsWith("sh", (e.ProcessExec?.Process ?? e.ProcessExit?.Process)!.Binary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACelExpressionFiltersTheStreamInTheAgent()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"cel-{Guid.NewGuid():N}";
        GetEventsResponse? exit;
        List<GetEventsResponse> events;
        await using (var tetra = new TetraStream(agent, "--cel-expression", $"process_exit.status == 3u && process_exit.process.arguments.endsWith('{marker}')"))
        {
            exit = await tetra.TriggerUntilAsync(
                async () =>
                {
                    await Trigger.RunAsync(Shell, "/tmp", "-c", "exit 4", marker);
                    await Trigger.RunAsync(Shell, "/tmp", "-c", "exit 3", marker);
                },
                e => e.ProcessExit is not null);
            events = tetra.Events();
        }

        Assert.NotNull(exit);
        // Only the exits with status 3 of this test's shells: not their execs, not the exit 4s, nothing else on the host.
        Assert.All(events, e =>
        {
            Assert.Equal(3u, e.ProcessExit?.Status);
            Assert.EndsWith(marker, e.ProcessExit!.Process.Arguments, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task CleanStopDetachesAndExitsZero()
    {
        var agent = await AgentProcess.StartAsync();
        await using (agent)
        {
            Assert.Equal(0, await agent.StopAsync());
            Assert.Contains("programs detached", agent.Log, StringComparison.Ordinal);
        }
    }
}
