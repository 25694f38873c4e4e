using System.Diagnostics;
using Tetragon.Docker.Api;
using Process = System.Diagnostics.Process;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>matchBinaries followChildren on the real kernel: a binary and all it starts, decided in the kernel.</summary>
public sealed class FollowChildrenTests
{
    private static string Policy(string name, string root, string shell, string op = "In") => TracingPolicyTests.MkdirPolicy(name, root + "/", $$"""
              matchBinaries:
              - operator: {{op}}
                values: ["{{shell}}"]
                followChildren: true
        """);

    /// <summary>A shell of its own name, so that only the test's processes run it.</summary>
    private static string CopyShell(string dir, string name = "follow-sh")
    {
        var shell = Path.Combine(dir, name);
        File.Copy(Trigger.Resolve("/bin/sh"), shell); // with its mode
        return shell;
    }

    [Fact]
    public async Task TheBinaryAndEveryProcessItStartsMatchOthersDoNot()
    {
        var root = Directory.CreateTempSubdirectory("tp-follow-").FullName;
        var shell = CopyShell(root);
        await using var agent = await AgentProcess.StartAsync();

        // Running before the policy: seeded from /proc, its later children follow.
        var info = new ProcessStartInfo(shell) { UseShellExecute = false, ArgumentList = { "-c", $"while [ ! -e {root}/go ]; do sleep 0.1; done; mkdir {root}/seeded" } };
        using var early = Process.Start(info)!;
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = Policy("follow-children", root, shell) }, cancellationToken: TestContext.Current.CancellationToken);
        File.WriteAllText($"{root}/go", "");

        // Two levels down: the shell starts /bin/sh, which starts mkdir.
        var (viaChild, exit) = await Trigger.RunAsync(shell, root, "-c", $"/bin/sh -c 'mkdir {root}/grandchild; echo $$ > {root}/grandchild.pid'; true");
        Assert.Equal(0, exit);
        // The same command from an unrelated shell is not followed.
        Assert.Equal(0, (await Trigger.RunAsync("/bin/sh", root, "-c", $"mkdir {root}/unrelated")).ExitCode);
        await early.WaitForExitAsync(TestContext.Current.CancellationToken);

        var grandchild = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/grandchild");
        Assert.EndsWith("/mkdir", grandchild.ProcessKprobe.Process.Binary, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText($"{root}/grandchild.pid").Trim(), grandchild.ProcessKprobe.Parent.Pid.ToString());
        Assert.NotEqual((uint)viaChild, grandchild.ProcessKprobe.Parent.Pid);
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/seeded");
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/unrelated");
    }

    [Fact]
    public async Task NotInMatchesOnlyWhatTheBinaryDidNotStart()
    {
        var root = Directory.CreateTempSubdirectory("tp-follow-not-").FullName;
        var shell = CopyShell(root);
        await using var agent = await AgentProcess.StartAsync();
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = Policy("follow-children-not", root, shell, "NotIn") }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, (await Trigger.RunAsync(shell, root, "-c", $"/bin/sh -c 'mkdir {root}/under'")).ExitCode);
        Assert.Equal(0, (await Trigger.RunAsync("/bin/sh", root, "-c", $"mkdir {root}/outside")).ExitCode);

        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/outside");
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/under");
    }

    [Fact]
    public async Task AFreedBitIsClearedBeforeAnotherFilterTakesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("tp-follow-free-").FullName;
        var first = CopyShell(root);
        var second = CopyShell(root, "other-sh");
        await using var agent = await AgentProcess.StartAsync();
        // Another matchBinaries policy keeps the kernel's binary table (and its bits) alive throughout.
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = Policy("follow-keeper", root, "/nonexistent", "In").Replace("followChildren: true", "followChildren: false", StringComparison.Ordinal) }, cancellationToken: ct);
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = Policy("follow-first", root, first) }, cancellationToken: ct);

        // Started under the first filter: the kernel gives it the filter's bit at its exec.
        var info = new ProcessStartInfo(first) { UseShellExecute = false, ArgumentList = { "-c", $"while [ ! -e {root}/go ]; do sleep 0.1; done; mkdir {root}/stale" } };
        using var early = Process.Start(info)!;
        await Task.Delay(500, ct);

        // The bit goes with the first policy, and the second one's filter takes it.
        await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "follow-first" }, cancellationToken: ct);
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = Policy("follow-second", root, second) }, cancellationToken: ct);
        File.WriteAllText($"{root}/go", "");
        await early.WaitForExitAsync(ct);
        Assert.Equal(0, (await Trigger.RunAsync(second, root, "-c", $"mkdir {root}/second")).ExitCode);

        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/second");
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Args[0].StringArg == $"{root}/stale");
    }
}
