using System.Diagnostics;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>matchNamespaceChanges and matchCapabilityChanges on the real kernel: what a process gained after it started.</summary>
public sealed class ChangesSelectorTests
{
    private static readonly string Mkdir = Trigger.Resolve("/usr/bin/mkdir");

    [Fact]
    public async Task AProcessInANamespaceItDidNotStartInMatchesNamespaceChanges()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-nschg-").FullName;
        await AddAsync(agent, TracingPolicyTests.MkdirPolicy("ns-changes", root + "/", """
                  matchNamespaceChanges:
                  - operator: In
                    values: ["Mnt"]
            """));

        // unshare forks in the host's mount namespace, moves itself out, then execs mkdir.
        var (movedPid, movedExit) = await Trigger.RunAsync("/usr/bin/unshare", "/", "-m", "--", Mkdir, root + "/moved");
        var (stayedPid, stayedExit) = await Trigger.RunAsync(Mkdir, "/", root + "/stayed");
        Assert.Equal([0, 0], new[] { movedExit, stayedExit });

        await AssertOnlyTheFirstMatchesAsync(agent, movedPid, root + "/moved", stayedPid);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AProcessThatRaisesItsCapabilitiesAtRunTimeMatchesCapabilityChanges()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-capchg-").FullName;
        var raiser = await BuildRaiserAsync(root);
        await AddAsync(agent, TracingPolicyTests.MkdirPolicy("cap-changes", root + "/", """
                  matchCapabilityChanges:
                  - type: Effective
                    operator: In
                    values: ["CAP_SYS_ADMIN"]
            """));

        // Exec'd with euid 65534 (ruid 0): no effective capabilities; seteuid(0) then brings them back.
        var (pid, exit) = await Trigger.RunAsync("/usr/bin/setpriv", "/", "--euid=65534", "--", raiser, root + "/before", root + "/after");
        Assert.Equal(0, exit);
        // A root process that always had them: no change.
        var (rootPid, _) = await Trigger.RunAsync(Mkdir, "/", root + "/root");

        var after = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(root + "/after", after.Args[0].StringArg);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var events = ExportFile.Read(agent.ExportFile).Where(e => e.ProcessKprobe?.PolicyName == "cap-changes").ToList();
        Assert.DoesNotContain(events, e => e.ProcessKprobe.Args[0].StringArg == root + "/before");
        Assert.DoesNotContain(events, e => e.ProcessKprobe.Process.Pid == (uint)rootPid);
    }

    [Fact]
    public async Task IsNamespaceCapabilityMatchesOnlyOutsideTheHostsUserNamespace()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-nscap-").FullName;
        await AddAsync(agent, TracingPolicyTests.MkdirPolicy("ns-caps", root + "/", """
                  matchCapabilities:
                  - type: Effective
                    operator: In
                    isNamespaceCapability: true
                    values: ["CAP_SYS_ADMIN"]
            """));

        // Root in a user namespace of its own holds CAP_SYS_ADMIN there; host root holds it too, on the host.
        var (nsPid, nsExit) = await Trigger.RunAsync("/usr/bin/unshare", "/", "--user", "--map-root-user", "--", Mkdir, root + "/userns");
        var (hostPid, hostExit) = await Trigger.RunAsync(Mkdir, "/", root + "/host");
        Assert.Equal([0, 0], new[] { nsExit, hostExit });

        await AssertOnlyTheFirstMatchesAsync(agent, nsPid, root + "/userns", hostPid);
    }

    /// <summary>mkdir(argv[1]), seteuid(0), mkdir(argv[2]).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task<string> BuildRaiserAsync(string dir)
    {
        var source = Path.Combine(dir, "raiser.c");
        var binary = Path.Combine(dir, "raiser");
        await File.WriteAllTextAsync(source, """
            #include <sys/stat.h>
            #include <unistd.h>
            int main(int argc, char **argv)
            {
                if (argc < 3)
                    return 1;
                mkdir(argv[1], 0700);
                if (seteuid(0) != 0)
                    return 2;
                mkdir(argv[2], 0700);
                return 0;
            }
            """, TestContext.Current.CancellationToken);
        using var cc = System.Diagnostics.Process.Start(new ProcessStartInfo("cc", ["-O1", "-o", binary, source]) { UseShellExecute = false })!;
        await cc.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, cc.ExitCode);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755: the raiser runs as euid 65534 first
        return binary;
    }

    /// <summary>The matching mkdir's event arrives with its path; the other process, checked after it, has none.</summary>
    private static async Task AssertOnlyTheFirstMatchesAsync(AgentProcess agent, int matchedPid, string path, int otherPid)
    {
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)matchedPid)).ProcessKprobe;
        Assert.Equal(path, ev.Args[0].StringArg);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Process?.Pid == (uint)otherPid);
    }

    private static async Task AddAsync(AgentProcess agent, string yaml) =>
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = yaml }, cancellationToken: TestContext.Current.CancellationToken);
}
