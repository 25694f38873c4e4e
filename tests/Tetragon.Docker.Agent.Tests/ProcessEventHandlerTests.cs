using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ProcessEventHandlerTests
{
    private readonly List<GetEventsResponse> published = [];
    private readonly ManualTime time = new();
    private readonly ScriptedResolver resolver = new();
    private readonly AgentCounters counters = new();
    private readonly ProcessCache cache = new();
    private readonly ProcessEventHandler handler;

    public ProcessEventHandlerTests()
    {
        var factory = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832]), includeCredentials: true, includeNamespaces: true);
        var scanner = new ProcFsScanner("/nonexistent-proc", new CgroupFs(null));
        handler = new ProcessEventHandler(cache, factory, scanner, resolver, counters, published.Add, time);
        handler.AddProcFs(new ProcessSnapshot { Pid = 1, Ppid = 0, KtimeNs = 1000, Binary = "/sbin/init", Argv = ["init"], Cwd = "/", Uid = 0 });
    }

    [Fact]
    public void ProcessesGoneFromProcLeaveTheCacheAtTheSecondPassWithoutAnEvent()
    {
        var proc = Directory.CreateTempSubdirectory("proc-").FullName;
        Directory.CreateDirectory(Path.Combine(proc, "200"));
        var factory = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832]), includeCredentials: false, includeNamespaces: false);
        var cache = new ProcessCache();
        var handler = new ProcessEventHandler(cache, factory, new ProcFsScanner(proc, new CgroupFs(null)), resolver, counters, published.Add, time);
        handler.AddProcFs(new ProcessSnapshot { Pid = 1, Ppid = 0, KtimeNs = 1000, Binary = "/sbin/init", Argv = ["init"], Cwd = "/", Uid = 0 });
        Directory.CreateDirectory(Path.Combine(proc, "1"));
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["sleep"], "/", "/bin/sleep")); // its exit was lost: no /proc/100
        handler.OnSample(MessageBuilder.Exec(200, 1, 3000, ["sleep"], "/", "/bin/sleep")); // still running
        handler.OnSample(MessageBuilder.Exec(300, 1, 3000, ["true"], "/", "/bin/true")); // gone, its exit still in the ring
        published.Clear();

        Assert.Equal(0, handler.PruneExited()); // first pass: suspects only
        Assert.True(handler.HasPruneSuspects);
        handler.OnSample(MessageBuilder.Exit(300, 4000, 0)); // the exit arrives between passes: reported
        Assert.Equal(300u, Assert.Single(published).ProcessExit.Process.Pid);

        Assert.Equal(1, handler.PruneExited()); // 100 is still gone: dropped
        Assert.Null(cache.Get(100));
        Assert.NotNull(cache.Get(200));
        Assert.NotNull(cache.Get(1));
        Assert.False(handler.HasPruneSuspects);
        Assert.Equal(1, counters.Get(AgentCounters.ProcessCachePruned));
        Assert.Single(published); // pruning emits nothing
        Directory.Delete(proc, recursive: true);
    }

    [Fact]
    public void CloneThenExecThenExitLinksParentAndReportsStatus()
    {
        handler.OnSample(MessageBuilder.Clone(100, 1, 2000));
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["sh", "-c", "exit 3"], "/tmp", "/usr/bin/dash"));
        handler.OnSample(MessageBuilder.Exit(100, 4000, 3 << 8));

        Assert.Equal(2, published.Count);
        var exec = published[0].ProcessExec;
        Assert.Equal("/usr/bin/dash", exec.Process.Binary);
        Assert.Equal("-c \"exit 3\"", exec.Process.Arguments);
        Assert.Equal("execve clone", exec.Process.Flags);
        Assert.Equal("/sbin/init", exec.Parent.Binary);
        Assert.Equal("procFS rootcwd", exec.Parent.Flags);
        Assert.Equal(exec.Parent.ExecId, exec.Process.ParentExecId);
        Assert.Equal(Events.ExecId.Create("node", 3000, 100), exec.Process.ExecId);
        Assert.Contains(CapabilitiesType.CapSysAdmin, exec.Process.Cap.Effective);
        Assert.True(exec.Process.Ns.Mnt.IsHost);
        Assert.Equal("node", published[0].NodeName);

        var exit = published[1].ProcessExit;
        Assert.Equal(exec.Process.ExecId, exit.Process.ExecId);
        Assert.Equal(3u, exit.Status);
        Assert.Equal("", exit.Signal);
    }

    [Fact]
    public void AForkThatExitsWithoutExecIsReportedWithTheParentImageOfItsFork()
    {
        handler.OnSample(MessageBuilder.Exec(50, 1, 1500, ["sh"], "/srv", "/usr/bin/dash"));
        handler.OnSample(MessageBuilder.Clone(51, 50, 2000));
        handler.OnSample(MessageBuilder.Exec(50, 1, 2500, ["sleep", "9"], "/srv", "/usr/bin/sleep")); // the parent moves on
        published.Clear();
        handler.OnSample(MessageBuilder.Exit(51, 3000, 0));

        var exit = Assert.Single(published).ProcessExit;
        Assert.Equal("clone", exit.Process.Flags);
        Assert.Equal(51u, exit.Process.Pid);
        Assert.Equal(Events.ExecId.Create("node", 2000, 51), exit.Process.ExecId);
        Assert.Equal("/usr/bin/dash", exit.Process.Binary); // the image it was forked from, not the parent's later exec
        Assert.Equal("/srv", exit.Process.Cwd);
        Assert.Equal(Events.ExecId.Create("node", 1500, 50), exit.Process.ParentExecId);
        Assert.Equal("/usr/bin/dash", exit.Parent.Binary);
    }

    [Fact]
    public void CapabilitiesNamespacesAndCredentialsComeOnlyWithTheirFlags()
    {
        var plain = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832]), includeCredentials: false, includeNamespaces: false);
        var snapshot = new ProcessSnapshot { Pid = 7, Ppid = 1, Uid = 0, KtimeNs = 1, Binary = "/bin/x", Argv = ["x"], Cwd = "/", CapEffective = 1UL << 21, Namespaces = new uint[10] };
        var process = plain.Build(snapshot, "execve", null, null);
        Assert.Null(process.Cap);
        Assert.Null(process.Ns);
        Assert.Null(process.ProcessCredentials);

        var full = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832]), includeCredentials: true, includeNamespaces: true);
        process = full.Build(snapshot, "execve", null, null);
        Assert.Contains(CapabilitiesType.CapSysAdmin, process.Cap.Effective);
        Assert.NotNull(process.Ns);
        Assert.NotNull(process.ProcessCredentials);
    }

    [Fact]
    public void KilledProcessReportsTheSignalName()
    {
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["sleep", "9"], "/", "/usr/bin/sleep"));
        handler.OnSample(MessageBuilder.Exit(100, 4000, 9));
        Assert.Equal("SIGKILL", published[1].ProcessExit.Signal);
        Assert.Equal("execve rootcwd", published[0].ProcessExec.Process.Flags);
    }

    [Fact]
    public void TruncatedArgumentsAreFlagged()
    {
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["x", "y"], "/a", "/bin/x", flags: 1));
        Assert.Contains("truncArgs", published[0].ProcessExec.Process.Flags.Split(' '));
    }

    [Fact]
    public void ExitOfAnUnknownProcessIsCountedNotInvented()
    {
        handler.OnSample(MessageBuilder.Exit(4242, 4000, 0));
        Assert.Empty(published);
        Assert.Equal(1, counters.Get(AgentCounters.ProcessCacheMisses));
    }

    [Fact]
    public void EventsWaitForPendingContainerMetadataInOrder()
    {
        resolver.Pending.Add(77);
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["app"], "/", "/app", cgroupId: 77));
        handler.OnSample(MessageBuilder.Exit(100, 4000, 0));
        handler.FlushDeferred();
        Assert.Empty(published);

        resolver.Pending.Remove(77);
        resolver.Known[77] = new ContainerInfo("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", "nginx:1", "sha256:1", new Dictionary<string, string> { ["app"] = "x" }, null, null);
        handler.FlushDeferred();

        Assert.Equal(2, published.Count);
        Assert.NotNull(published[0].ProcessExec);
        Assert.Equal("web", published[0].ProcessExec.Process.Container.Name);
        Assert.Equal("0123456789abcdef0123456789abcde", published[0].ProcessExec.Process.Docker);
        Assert.Equal("x", published[1].ProcessExit.Process.Container.Labels["app"]);
    }

    [Fact]
    public void HookEventsWaitBehindTheirProcessUntilItsContainerIsKnown()
    {
        resolver.Pending.Add(77);
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["mkdir", "/x"], "/", "/bin/mkdir", cgroupId: 77));
        var entry = cache.Get(100);
        handler.EmitHookEvent(entry, new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = entry!.Process, FunctionName = "__x64_sys_mkdir" } });
        handler.EmitHookEvent(cache.Get(1), new GetEventsResponse { ProcessKprobe = new ProcessKprobe { Process = cache.Get(1)!.Process, FunctionName = "host" } });
        handler.FlushDeferred();

        // The host process's event does not wait; the container's kprobe waits behind its exec.
        Assert.Single(published);
        Assert.Equal("host", published[0].ProcessKprobe.FunctionName);

        resolver.Pending.Remove(77);
        resolver.Known[77] = new ContainerInfo("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", "nginx:1", "sha256:1", new Dictionary<string, string>(), null, null);
        handler.FlushDeferred();

        Assert.Equal(3, published.Count);
        Assert.NotNull(published[1].ProcessExec);
        Assert.Equal("__x64_sys_mkdir", published[2].ProcessKprobe.FunctionName);
        Assert.Equal("web", published[2].ProcessKprobe.Process.Container.Name);
    }

    [Fact]
    public void PendingEventsGoOutWithoutContainerAfterTheTimeout()
    {
        resolver.Pending.Add(77);
        handler.OnSample(MessageBuilder.Exec(100, 1, 3000, ["app"], "/", "/app", cgroupId: 77));
        time.Advance(ProcessEventHandler.PendingTimeout + TimeSpan.FromMilliseconds(1));
        handler.FlushDeferred();

        Assert.Single(published);
        Assert.Null(published[0].ProcessExec.Process.Container);
        Assert.Equal(1, counters.Get(AgentCounters.ContainerPendingTimeouts));
    }

    [Fact]
    public void UnknownOpcodeIsMalformedInput()
    {
        var sample = MessageBuilder.Exit(1, 1, 0);
        sample[0] = 200;
        Assert.Throws<InvalidDataException>(() => handler.OnSample(sample));
    }

    [Fact]
    public void TheContainersInitTreeIsItsPid1AndDescendantsButNotWhatDockerExecPutIn()
    {
        const uint hostPidNs = 4026531836, containerPidNs = 4026532300;
        var factory = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832, hostPidNs]), includeCredentials: false, includeNamespaces: false);
        var handler = new ProcessEventHandler(new ProcessCache(), factory, new ProcFsScanner("/nonexistent-proc", new CgroupFs(null)), resolver, counters, published.Add, time);
        resolver.Known[77] = new ContainerInfo("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", "nginx:1", "sha256:1", new Dictionary<string, string>(), null, 4242);
        handler.AddProcFs(new ProcessSnapshot { Pid = 1, Ppid = 0, KtimeNs = 1000, Binary = "/sbin/init", Argv = ["init"], Cwd = "/", Uid = 0, Namespaces = [0, 0, 0, hostPidNs], NsPid = 1 });
        handler.OnSample(MessageBuilder.Exec(10, 1, 1500, ["containerd-shim"], "/", "/usr/bin/containerd-shim", nsPid: 10, pidNs: hostPidNs));

        // runc starts the container: a child in a new pid namespace, its pid 1, which execs the entrypoint.
        handler.OnSample(MessageBuilder.Clone(20, 10, 2000, cgroupId: 77, nsPid: 1, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exec(20, 10, 2100, ["sh"], "/", "/bin/sh", cgroupId: 77, nsPid: 1, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Clone(21, 20, 2200, cgroupId: 77, nsPid: 7, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exec(21, 20, 2300, ["ls"], "/", "/bin/ls", cgroupId: 77, nsPid: 7, pidNs: containerPidNs));
        // docker exec: runc, outside the namespace, forks a child into it.
        handler.OnSample(MessageBuilder.Clone(30, 10, 3000, cgroupId: 77, nsPid: 9, pidNs: hostPidNs));
        handler.OnSample(MessageBuilder.Clone(31, 30, 3100, cgroupId: 77, nsPid: 12, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exec(31, 30, 3200, ["bash"], "/", "/bin/bash", cgroupId: 77, nsPid: 12, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Clone(32, 31, 3300, cgroupId: 77, nsPid: 13, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exec(32, 31, 3400, ["cat"], "/", "/bin/cat", cgroupId: 77, nsPid: 13, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exit(21, 4000, 0)); // ends with its exec's image

        Api.Process Exec(string binary) => published.Single(e => e.ProcessExec?.Process.Binary == binary).ProcessExec.Process;
        Assert.Null(Exec("/usr/bin/containerd-shim").InInitTree); // the host's processes leave it out
        Assert.True(Exec("/bin/sh").InInitTree);
        Assert.Equal(1u, Exec("/bin/sh").Container.Pid); // its pid in the container, not the host's
        Assert.True(Exec("/bin/ls").InInitTree);
        Assert.Equal(7u, Exec("/bin/ls").Container.Pid);
        Assert.False(Exec("/bin/bash").InInitTree);
        Assert.Equal(12u, Exec("/bin/bash").Container.Pid);
        Assert.False(Exec("/bin/cat").InInitTree); // a descendant of the exec'd shell: still outside
        var exit = published.Single(e => e.ProcessExit is not null).ProcessExit.Process;
        Assert.True(exit.InInitTree);
        Assert.Equal(7u, exit.Container.Pid);
    }

    [Fact]
    public void AForkInsideTheContainerCarriesItsOwnPidAndTheParentsInitTree()
    {
        const uint hostPidNs = 4026531836, containerPidNs = 4026532300;
        var factory = new ProcessFactory("node", new BootClock(), new HostNamespaces([0, 0, 4026531832, hostPidNs]), includeCredentials: false, includeNamespaces: false);
        var handler = new ProcessEventHandler(new ProcessCache(), factory, new ProcFsScanner("/nonexistent-proc", new CgroupFs(null)), resolver, counters, published.Add, time);
        resolver.Known[77] = new ContainerInfo("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", "nginx:1", "sha256:1", new Dictionary<string, string> { ["app"] = "x" }, null, 4242);
        handler.AddProcFs(new ProcessSnapshot { Pid = 1, Ppid = 0, KtimeNs = 1000, Binary = "/sbin/init", Argv = ["init"], Cwd = "/", Uid = 0, Namespaces = [0, 0, 0, hostPidNs], NsPid = 1 });
        handler.AddProcFs(new ProcessSnapshot { Pid = 20, Ppid = 1, KtimeNs = 2000, Binary = "/bin/sh", Argv = ["sh"], Cwd = "/", Uid = 0, Namespaces = [0, 0, 0, containerPidNs], NsPid = 1, CgroupId = 77 });
        handler.OnSample(MessageBuilder.Clone(21, 20, 2200, cgroupId: 77, nsPid: 5, pidNs: containerPidNs));
        handler.OnSample(MessageBuilder.Exit(21, 2300, 0)); // a fork that never execs

        var exit = Assert.Single(published).ProcessExit;
        Assert.Equal("clone", exit.Process.Flags);
        Assert.True(exit.Process.InInitTree);
        Assert.Equal(5u, exit.Process.Container.Pid);
        Assert.Equal("x", exit.Process.Container.Labels["app"]);
        Assert.Equal(1u, exit.Parent.Container.Pid); // the parent's message is not changed
        Assert.True(exit.Parent.InInitTree);
    }

    private sealed class ScriptedResolver : IContainerResolver
    {
        public HashSet<ulong> Pending { get; } = [];

        public Dictionary<ulong, ContainerInfo> Known { get; } = [];

        public ContainerResolution Resolve(ulong cgroupId, string? cgroupPath = null) =>
            Pending.Contains(cgroupId) ? new ContainerResolution(null, true)
            : Known.TryGetValue(cgroupId, out var c) ? new ContainerResolution(c, false)
            : ContainerResolution.Host;
    }
}