using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Grpc.Core;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>TracingPolicy end to end: the real agent, real syscalls, selectors and actions in the kernel.</summary>
public sealed partial class TracingPolicyTests
{
    private static readonly string Mkdir = Trigger.Resolve("/bin/mkdir");
    private static readonly string Cat = Trigger.Resolve("/bin/cat");
    private static readonly string Head = Trigger.Resolve("/usr/bin/head");

    [Fact]
    public async Task SigkillOnForbiddenMkdirWhileOtherMkdirsPass()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-mkdir-").FullName;
        await AddAsync(agent, MkdirKillPolicy("mkdir-kill", root + "/forbidden/"));

        var (_, allowed) = await Trigger.RunAsync(Mkdir, root, root + "/allowed");
        Directory.CreateDirectory(root + "/forbidden");
        var (pid, forbidden) = await Trigger.RunAsync(Mkdir, root, root + "/forbidden/x");

        Assert.Equal(0, allowed);
        Assert.Equal(137, forbidden);
        Assert.True(Directory.Exists(root + "/allowed"));
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal("__x64_sys_mkdir", ev.FunctionName);
        Assert.Equal(KprobeAction.Sigkill, ev.Action);
        Assert.Equal("mkdir-kill", ev.PolicyName);
        Assert.Equal(root + "/forbidden/x", ev.Args[0].StringArg);
        Assert.Equal(Mkdir, ev.Process.Binary);
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Args[0].StringArg == root + "/allowed");
    }

    [Fact]
    public async Task ARawSyscallsTracepointReportsTheSyscallIdFilteredByNameInTheKernel()
    {
        await using var agent = await AgentProcess.StartAsync();
        var uname = Trigger.Resolve("/bin/uname");
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "uname-syscall"
            spec:
              tracepoints:
              - subsystem: "raw_syscalls"
                event: "sys_enter"
                args:
                - index: 4
                  type: "syscall64"
                selectors:
                - matchArgs:
                  - index: 4
                    operator: "Equal"
                    values: ["sys_uname"]
                  matchBinaries:
                  - operator: "In"
                    values: ["{{uname}}"]
            """);

        var (pid, _) = await Trigger.RunAsync(uname, "/", "-a");

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessTracepoint?.Process?.Pid == (uint)pid)).ProcessTracepoint;
        Assert.Equal(("raw_syscalls", "sys_enter"), (ev.Subsys, ev.Event));
        Assert.Equal(63u, ev.Args[0].SyscallId.Id); // uname on x86_64
        Assert.Equal("x64", ev.Args[0].SyscallId.Abi);
        // Only uname(2) passed the kernel's filter: not the execve, brk, mmap ... the same process made.
        Assert.All(ExportFile.Read(agent.ExportFile).Where(e => e.ProcessTracepoint is not null), e => Assert.Equal(63u, e.ProcessTracepoint.Args[0].SyscallId.Id));
    }

    [Fact]
    public async Task AThirtyTwoBitSyscallIsFilteredByItsI386NameAndReportedWithItsAbi()
    {
        // int $0x80 from a 64-bit program takes the i386 entry: getpid is 20 there (39 on x86_64).
        var binary = await BuildAsync("int80-getpid", """
            int main(void)
            {
                long ret;
                asm volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
                return ret > 0 ? 0 : 1;
            }
            """);
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "i386-getpid"
            spec:
              tracepoints:
              - subsystem: "raw_syscalls"
                event: "sys_enter"
                args:
                - index: 4
                  type: "syscall64"
                selectors:
                - matchArgs:
                  - index: 4
                    operator: "Equal"
                    values: ["i386/sys_getpid"]
            """);

        var (pid, exit) = await Trigger.RunAsync(binary, "/");
        Assert.Equal(0, exit);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessTracepoint?.Process?.Pid == (uint)pid)).ProcessTracepoint;
        Assert.Equal((20u, "i386"), (ev.Args[0].SyscallId.Id, ev.Args[0].SyscallId.Abi));
        // The kernel passed only the 32-bit getpid: no x86_64 syscall of any process matched.
        Assert.All(ExportFile.Read(agent.ExportFile).Where(e => e.ProcessTracepoint is not null), e => Assert.Equal("i386", e.ProcessTracepoint.Args[0].SyscallId.Abi));
    }

    [Fact]
    public async Task ACharIovecIsTheBuffersOfAWritevOneAfterAnother()
    {
        var binary = await BuildAsync("writev-target", """
            #include <fcntl.h>
            #include <sys/uio.h>
            int main(void)
            {
                struct iovec iov[3] = { { "GET ", 4 }, { "/index", 6 }, { ".html", 5 } };
                int fd = open("/dev/null", O_WRONLY);
                return writev(fd, iov, 3) == 15 ? 0 : 1;
            }
            """);
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "writev-iovec"
            spec:
              kprobes:
              - call: "sys_writev"
                syscall: true
                args:
                - index: 1
                  type: "char_iovec"
                  sizeArgIndex: 3
                - index: 2
                  type: "int"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{binary}}"]
                  matchArgs:
                  - index: 1
                    operator: "Prefix"
                    values: ["GET /"]
            """);

        var (pid, exit) = await Trigger.RunAsync(binary, "/");

        Assert.Equal(0, exit);
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal("GET /index.html", ev.Args[0].BytesArg.ToStringUtf8()); // three segments, joined; the Prefix filter saw them joined
        Assert.Equal(3, ev.Args[1].IntArg);
    }

    [Fact]
    public async Task AReturnCopyBufferIsWhatTheCallReadNotWhatWasThereBefore()
    {
        var dir = Directory.CreateTempSubdirectory("tp-rcopy-").FullName;
        File.WriteAllText(Path.Combine(dir, "data"), "tetragon-return-copy\n");
        var binary = await BuildAsync("read-target", """
            #include <fcntl.h>
            #include <string.h>
            #include <unistd.h>
            int main(int argc, char **argv)
            {
                char buf[64];
                memset(buf, 'X', sizeof(buf)); /* what an entry-time read would see */
                int fd = open(argv[1], O_RDONLY);
                return read(fd, buf, sizeof(buf)) == 21 ? 0 : 1;
            }
            """);
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "read-return-copy"
            spec:
              kprobes:
              - call: "sys_read"
                syscall: true
                return: true
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "char_buf"
                  sizeArgIndex: 3
                  returnCopy: true
                - index: 2
                  type: "size_t"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{binary}}"]
            """);

        var (pid, exit) = await Trigger.RunAsync(binary, "/", Path.Combine(dir, "data"));

        Assert.Equal(0, exit);
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid && e.ProcessKprobe.Return?.IntArg == 21)).ProcessKprobe;
        // The policy's order; the bytes the call returned, read at the return.
        Assert.Equal(KprobeArgument.ArgOneofCase.IntArg, ev.Args[0].ArgCase);
        Assert.Equal("tetragon-return-copy\n", ev.Args[1].BytesArg.ToStringUtf8());
        Assert.Equal(64UL, ev.Args[2].SizeArg);
    }

    [Fact]
    public async Task ACharBufPastTheCaptureLimitIsATruncatedBytesArgWithItsFullSize()
    {
        var dir = Directory.CreateTempSubdirectory("tp-trunc-").FullName;
        var sh = Trigger.Resolve("/bin/sh");
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "write-sizes"
            spec:
              kprobes:
              - call: "sys_write"
                syscall: true
                args:
                - index: 0
                  type: "fd"
                - index: 1
                  type: "char_buf"
                  sizeArgIndex: 3
                - index: 2
                  type: "size_t"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Prefix"
                    values: ["{{dir}}/"]
            """);

        // One write of 1000 bytes, one of 10.
        Assert.Equal(0, (await Trigger.RunAsync(sh, dir, "-c", $"printf '%01000d' 7 > {dir}/big; printf 'small-data' > {dir}/small")).ExitCode);

        var big = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args.FirstOrDefault()?.FileArg?.Path == dir + "/big")).ProcessKprobe;
        Assert.Equal(KprobeArgument.ArgOneofCase.TruncatedBytesArg, big.Args[1].ArgCase);
        Assert.Equal(1000UL, big.Args[1].TruncatedBytesArg.OrigSize);
        Assert.Equal(new string('0', 256), big.Args[1].TruncatedBytesArg.BytesArg.ToStringUtf8());
        Assert.Equal(1000UL, big.Args[2].SizeArg);

        var small = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args.FirstOrDefault()?.FileArg?.Path == dir + "/small")).ProcessKprobe;
        Assert.Equal("small-data", small.Args[1].BytesArg.ToStringUtf8()); // whole: a plain bytes_arg
        var line = File.ReadLines(agent.ExportFile).First(l => l.StartsWith("{ \"process_kprobe\"", StringComparison.Ordinal) && l.Contains(dir + "/big", StringComparison.Ordinal));
        Assert.Contains("\"truncated_bytes_arg\": { \"bytes_arg\": \"", line, StringComparison.Ordinal);
        Assert.Contains("\"orig_size\": \"1000\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFollowFdPolicyOfTetragonsDocsBlocksWritesByTheFdsPathWithoutFollowing()
    {
        // Tetragon's FollowFD example (fd_install FollowFD, sys_write Sigkill on the fd's path,
        // sys_close UnfollowFD) minus fd_install, a kernel function this VM cannot probe: the
        // write's fd is resolved in the kernel at the write, so nothing needs to be followed.
        var dir = Directory.CreateTempSubdirectory("tp-followfd-").FullName;
        var sh = Trigger.Resolve("/bin/sh");
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "write-guard"
            spec:
              kprobes:
              - call: "sys_write"
                syscall: true
                args:
                - index: 0
                  type: "fd"
                - index: 1
                  type: "char_buf"
                  sizeArgIndex: 3
                - index: 2
                  type: "size_t"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Equal"
                    values: ["{{dir}}/guarded"]
                  matchActions:
                  - action: Sigkill
              - call: "sys_close"
                syscall: true
                args:
                - index: 0
                  type: "int"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{sh}}"]
                  matchActions:
                  - action: UnfollowFD
                    argFd: 0
                    argName: 0
            """);

        var (killed, guarded) = await Trigger.RunAsync(sh, dir, "-c", $"printf x > {dir}/guarded");
        var (_, other) = await Trigger.RunAsync(sh, dir, "-c", $"printf y > {dir}/other");

        Assert.Equal(137, guarded);
        Assert.Equal(0, other);
        Assert.Equal("y", File.ReadAllText(Path.Combine(dir, "other")));
        var write = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)killed && e.ProcessKprobe.FunctionName == "__x64_sys_write")).ProcessKprobe;
        Assert.Equal(KprobeAction.Sigkill, write.Action);
        Assert.Equal(dir + "/guarded", write.Args[0].FileArg.Path);
        var close = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.FunctionName == "__x64_sys_close" && e.ProcessKprobe.PolicyName == "write-guard")).ProcessKprobe;
        Assert.Equal(KprobeAction.Unfollowfd, close.Action); // posted, named as Tetragon names it
    }

    [Fact]
    public async Task APolicyScopedToContainersIsRefusedWithoutDockerAndNothingOfItLoads()
    {
        await using var agent = await AgentProcess.StartAsync(); // --enable-docker=false
        var scoped = MkdirKillPolicy("scoped-no-docker", "/forbidden-scoped/").Replace("spec:\n", "spec:\n  podSelector:\n    matchLabels:\n      app: \"web\"\n", StringComparison.Ordinal);
        Assert.Contains("podSelector", scoped, StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<RpcException>(() => AddAsync(agent, scoped));
        // Enforcing host-wide what was meant for one container would be worse than not loading it.
        Assert.Contains("spec.podSelector: selects containers by Docker's names and labels", e.Status.Detail, StringComparison.Ordinal);
        var list = await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(list.Policies, p => p.Name == "scoped-no-docker");
    }

    [Fact]
    public async Task AReturnCopyIovecIsTheBytesReadvFilledAcrossItsSegments()
    {
        var dir = Directory.CreateTempSubdirectory("tp-rcopy-iov-").FullName;
        File.WriteAllText(Path.Combine(dir, "data"), "tetragon-readv");
        var binary = await BuildAsync("readv-target", """
            #include <fcntl.h>
            #include <string.h>
            #include <sys/uio.h>
            int main(int argc, char **argv)
            {
                char a[4], b[6], c[32];
                memset(a, 'X', sizeof(a)); memset(b, 'Y', sizeof(b)); memset(c, 'Z', sizeof(c));
                struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
                int fd = open(argv[1], O_RDONLY);
                return readv(fd, iov, 3) == 14 ? 0 : 1;
            }
            """);
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "readv-return-copy"
            spec:
              kprobes:
              - call: "sys_readv"
                syscall: true
                return: true
                args:
                - index: 1
                  type: "char_iovec"
                  sizeArgIndex: 3
                  returnCopy: true
                - index: 2
                  type: "int"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{binary}}"]
            """);

        var (pid, exit) = await Trigger.RunAsync(binary, "/", Path.Combine(dir, "data"));

        Assert.Equal(0, exit);
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid && e.ProcessKprobe.Return?.IntArg == 14)).ProcessKprobe;
        // The 14 bytes readv returned, across its segments (4 + 6 + 4 of 32): none of the fill bytes.
        Assert.Equal("tetragon-readv", ev.Args[0].BytesArg.ToStringUtf8());
        Assert.Equal(3, ev.Args[1].IntArg);
    }

    [Fact]
    public async Task KernelStackTraceNamesTheKernelsPathToTheHook()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-kstack-").FullName;
        await AddAsync(agent, MkdirPolicy("mkdir-stack", root + "/", """
                  matchActions:
                  - action: Post
                    kernelStackTrace: true
            """));

        var (pid, _) = await Trigger.RunAsync(Mkdir, root, root + "/x");

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(root + "/x", ev.Args[0].StringArg); // the arguments still come first
        Assert.NotEmpty(ev.KernelStackTrace);
        Assert.All(ev.KernelStackTrace, f => Assert.True(f.Address >= 0xffff000000000000UL, $"{f.Address:x} is no kernel address"));
        // The syscall entry is on every syscall's path to sys_enter.
        Assert.Contains(ev.KernelStackTrace, f => f.Symbol.Contains("syscall", StringComparison.Ordinal));
        Assert.DoesNotContain(ev.KernelStackTrace, f => f.Symbol.StartsWith("bpf_prog_", StringComparison.Ordinal)); // BPF's own frames left out
        var line = File.ReadLines(agent.ExportFile).First(l => l.Contains("\"kernel_stack_trace\"", StringComparison.Ordinal));
        Assert.Contains("\"symbol\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserStackTraceNamesTheCallersInTheProgramAndItsModule()
    {
        var binary = await BuildStackTargetAsync();
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-ustack-").FullName;
        await AddAsync(agent, MkdirPolicy("mkdir-user-stack", root + "/", """
                  matchActions:
                  - action: Post
                    userStackTrace: true
            """));

        var (pid, exit) = await Trigger.RunAsync(binary, root, root + "/x");
        Assert.Equal(0, exit);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(root + "/x", ev.Args[0].StringArg);
        Assert.Empty(ev.KernelStackTrace); // only what was asked for
        // Innermost first: the function that made the syscall, then its caller, both in the program's file.
        Assert.True(ev.UserStackTrace.Count >= 2, string.Join(" <- ", ev.UserStackTrace));
        Assert.Equal("tg_make_dir", ev.UserStackTrace[0].Symbol);
        Assert.Equal("tg_outer", ev.UserStackTrace[1].Symbol);
        Assert.All(ev.UserStackTrace.Take(2), f => Assert.Equal(binary, f.Module));
        Assert.All(ev.UserStackTrace.Take(2), f => Assert.True(f.Address < 0x800000000000UL && f.Offset < (ulong)new FileInfo(binary).Length, $"{f}"));
        var line = File.ReadLines(agent.ExportFile).First(l => l.Contains("\"user_stack_trace\"", StringComparison.Ordinal));
        Assert.Contains("{ \"address\": \"", line, StringComparison.Ordinal);
        Assert.Contains("\"symbol\": \"tg_make_dir\", \"module\": \"" + binary + "\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetUrlAndDnsLookupFollowTheEvent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-geturl-").FullName;
        using var canary = new TcpListener(IPAddress.Loopback, 0);
        canary.Start();
        var path = $"/canary-{Guid.NewGuid():N}";
        var url = $"http://127.0.0.1:{((IPEndPoint)canary.LocalEndpoint).Port}{path}";
        await AddAsync(agent, MkdirPolicy("mkdir-canary", root + "/", $$"""
                  matchActions:
                  - action: GetUrl
                    argUrl: "{{url}}"
                  - action: DnsLookup
                    argFqdn: "localhost"
            """));

        var (pid, exit) = await Trigger.RunAsync(Mkdir, root, root + "/x");
        Assert.Equal(0, exit);

        // The agent's GET arrives at the canary.
        using var accepted = await canary.AcceptTcpClientAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(15), ct);
        using var reader = new StreamReader(accepted.GetStream());
        var requestLine = await reader.ReadLineAsync(ct);
        Assert.Equal($"GET {path} HTTP/1.1", requestLine);
        await accepted.GetStream().WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(KprobeAction.Geturl, ev.Action);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        ulong done = 0;
        while (done < 2 && DateTime.UtcNow < deadline)
        {
            done = (await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: ct)).Counters.GetValueOrDefault("tetragon_policy_user_actions_total");
            await Task.Delay(100, ct);
        }

        Assert.Equal(2UL, done); // the GET and the lookup
    }

    [Fact]
    public async Task APostfixSelectorMatchesTheEndOfTheStringInTheKernel()
    {
        var root = Directory.CreateTempSubdirectory("tp-postfix-").FullName;
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, MkdirKillPolicy("mkdir-postfix", ".forbidden", "Postfix"));

        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/x.forbidden.not")).ExitCode);
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden")).ExitCode);
        var (pid, killed) = await Trigger.RunAsync(Mkdir, root, root + "/x.forbidden");
        Assert.Equal(137, killed);
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal(root + "/x.forbidden", ev.Args[0].StringArg);
    }

    [Fact]
    public async Task OpenatOfEtcShadowIsReportedWithThePath()
    {
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, File.ReadAllText(Path.Combine(RepoRoot(), "policies", "openat-shadow.yaml")));

        var (pid, _) = await Trigger.RunAsync(Cat, "/", "/etc/shadow");

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)pid)).ProcessKprobe;
        Assert.Equal("__x64_sys_openat", ev.FunctionName);
        Assert.Equal("/etc/shadow", ev.Args[1].StringArg);
        Assert.Equal("path", ev.Args[1].Label);
        Assert.Equal("openat-shadow", ev.PolicyName);
        Assert.Equal("openat of /etc/shadow", ev.Message);
        Assert.Contains("credentials", ev.Tags);
        Assert.Equal(KprobeAction.Post, ev.Action);
    }

    [Fact]
    public async Task ConnectPolicyReportsTheSockaddrOfALoopbackConnect()
    {
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, File.ReadAllText(Path.Combine(RepoRoot(), "policies", "sys-connect.yaml")));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = (uint)((IPEndPoint)listener.LocalEndpoint).Port;

        Connect(port);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args.Any(a => a.SockaddrArg?.Port == port) == true)).ProcessKprobe;
        Assert.Equal("__x64_sys_connect", ev.FunctionName);
        Assert.Equal("sys-connect", ev.PolicyName);
        Assert.Equal((uint)Environment.ProcessId, ev.Process.Pid);
        Assert.Equal("fd", ev.Args[0].Label);
        Assert.True(ev.Args[0].IntArg > 2, $"the socket's fd ({ev.Args[0].IntArg})");
        Assert.Equal("address", ev.Args[1].Label);
        Assert.Equal(new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = port }, ev.Args[1].SockaddrArg);
    }

    [Fact]
    public async Task SockaddrSelectorsFilterConnectsInTheKernel()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var wanted = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        wanted.Start();
        other.Start();
        var port = (uint)((IPEndPoint)wanted.LocalEndpoint).Port;
        var otherPort = (uint)((IPEndPoint)other.LocalEndpoint).Port;
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "connect-port"
            spec:
              kprobes:
              - call: "sys_connect"
                syscall: true
                args:
                - index: 1
                  type: "sockaddr"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "SPort"
                    values: ["{{port}}", "1:2"]
                  - index: 1
                    operator: "SAddr"
                    values: ["127.0.0.0/8", "::1"]
                  - index: 1
                    operator: "Family"
                    values: ["AF_INET"]
                  - index: 1
                    operator: "NotSPortPriv"
            """);

        Connect(otherPort);
        Connect(port);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.PolicyName == "connect-port")).ProcessKprobe;
        Assert.Equal(new KprobeSockaddr { Family = "AF_INET", Addr = "127.0.0.1", Port = port }, ev.Args[0].SockaddrArg);
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Args.Any(a => a.SockaddrArg?.Port == otherPort) == true);
        var counters = Counters(await ListAsync(agent, "connect-port"));
        Assert.True(counters["seen"] >= 2, $"the kernel saw both connects ({counters["seen"]})");
        Assert.Equal(1, counters["events"]);
    }

    [Fact]
    public async Task MatchBinariesScopedPolicyIgnoresOtherBinaries()
    {
        await using var agent = await AgentProcess.StartAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("tp-bin-").FullName, "target.txt");
        File.WriteAllText(file, "x\n");
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "cat-only"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                return: true
                args:
                - index: 1
                  type: "string"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{Cat}}"]
                  matchArgs:
                  - index: 1
                    operator: "Equal"
                    values: ["{{file}}"]
            """);

        var (headPid, _) = await Trigger.RunAsync(Head, "/", file);
        var (catPid, _) = await Trigger.RunAsync(Cat, "/", file);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)catPid)).ProcessKprobe;
        Assert.Equal(file, ev.Args[0].StringArg);
        Assert.True(ev.Return.IntArg >= 0, "openat returned an fd");
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe?.Process?.Pid == (uint)headPid);
        var hook = Counters(await ListAsync(agent, "cat-only"));
        Assert.Equal(1, hook["events"]);
    }

    [Fact]
    public async Task EveryKindOfFilterInOneSelectorMustPass()
    {
        // matchPIDs, matchBinaries, matchArgs and matchReturnArgs together: the kernel walks the
        // selector's filters in turn, and each one can turn the event away on its own.
        await using var agent = await AgentProcess.StartAsync();
        var dir = Directory.CreateTempSubdirectory("tp-all-").FullName;
        var file = Path.Combine(dir, "present.txt");
        File.WriteAllText(file, "x\n");
        var missing = Path.Combine(dir, "missing.txt");
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "all-filters"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                return: true
                args:
                - index: 1
                  type: "string"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchPIDs:
                  - operator: "NotIn"
                    values: [1]
                  matchBinaries:
                  - operator: "In"
                    values: ["{{Cat}}"]
                  matchArgs:
                  - index: 1
                    operator: "Prefix"
                    values: ["{{dir}}/"]
                  matchReturnArgs:
                  - index: 0
                    operator: "GreaterThan"
                    values: ["-1"]
            """);

        var (catPid, _) = await Trigger.RunAsync(Cat, "/", file); // every filter passes
        var (missingPid, _) = await Trigger.RunAsync(Cat, "/", missing); // the return (-ENOENT) fails
        var (headPid, _) = await Trigger.RunAsync(Head, "/", file); // the binary fails
        var (otherPid, _) = await Trigger.RunAsync(Cat, "/", "/etc/hostname"); // the argument fails

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)catPid)).ProcessKprobe;
        Assert.Equal(file, ev.Args[0].StringArg);
        Assert.True(ev.Return.IntArg >= 0);
        // A last event that passes marks the end: everything before it has been exported.
        var (lastPid, _) = await Trigger.RunAsync(Cat, "/", file);
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)lastPid);
        var pids = ExportFile.Read(agent.ExportFile).Where(e => e.ProcessKprobe is not null).Select(e => (int)(e.ProcessKprobe.Process.Pid ?? 0)).ToHashSet();
        Assert.DoesNotContain(missingPid, pids);
        Assert.DoesNotContain(headPid, pids);
        Assert.DoesNotContain(otherPid, pids);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task NamespaceAndCapabilitySelectorsFilterInTheKernel()
    {
        // One policy passes only processes outside the host's mount namespace, the other only
        // processes without CAP_SYS_ADMIN: the same cat, run three ways, meets each once.
        await using var agent = await AgentProcess.StartAsync();
        var dir = Directory.CreateTempSubdirectory("tp-nscap-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755: readable by nobody
        var file = Path.Combine(dir, "f.txt");
        File.WriteAllText(file, "x\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1A4); // 0644
        string Policy(string name, string selector) => $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "{{name}}"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Equal"
                    values: ["{{file}}"]
            {{selector}}
            """;
        await AddAsync(agent, Policy("not-host-mnt", """
                  matchNamespaces:
                  - namespace: Mnt
                    operator: NotIn
                    values: ["host_ns"]
            """));
        await AddAsync(agent, Policy("no-sys-admin", """
                  matchCapabilities:
                  - type: Effective
                    operator: NotIn
                    values: ["CAP_SYS_ADMIN"]
            """));

        var (hostPid, hostExit) = await Trigger.RunAsync("/usr/bin/unshare", "/", "--", Cat, file); // neither: host mount ns, root
        var (nsPid, nsExit) = await Trigger.RunAsync("/usr/bin/unshare", "/", "-m", "--", Cat, file);
        var (nobodyPid, nobodyExit) = await Trigger.RunAsync("/usr/bin/setpriv", "/", "--reuid=65534", "--regid=65534", "--clear-groups", "--", Cat, file);
        Assert.Equal([0, 0, 0], new[] { hostExit, nsExit, nobodyExit });

        var ns = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)nsPid)).ProcessKprobe;
        Assert.Equal("not-host-mnt", ns.PolicyName);
        var nobody = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)nobodyPid)).ProcessKprobe;
        Assert.Equal("no-sys-admin", nobody.PolicyName);
        // A last event marks the end: everything before it has been exported.
        var (lastPid, _) = await Trigger.RunAsync("/usr/bin/unshare", "/", "-m", "--", Cat, file);
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)lastPid);
        var events = ExportFile.Read(agent.ExportFile).Where(e => e.ProcessKprobe is not null).ToList();
        Assert.DoesNotContain(events, e => e.ProcessKprobe.Process.Pid == (uint)hostPid);
        Assert.Single(events, e => e.ProcessKprobe.Process.Pid == (uint)nsPid);
        Assert.Single(events, e => e.ProcessKprobe.Process.Pid == (uint)nobodyPid);
    }

    [Fact]
    public async Task SysExitIsAttachedOnlyWhileASyscallHookWantsItsReturnValue()
    {
        await using var agent = await AgentProcess.StartAsync();
        var before = await SysExitLinksAsync();
        await AddAsync(agent, SyscallPolicy("enter-only", withReturn: false));
        Assert.Equal(before, await SysExitLinksAsync());

        await AddAsync(agent, SyscallPolicy("with-return", withReturn: true));
        Assert.Equal(before + 1, await SysExitLinksAsync());

        await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "with-return" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(before, await SysExitLinksAsync());
    }

    private static string SyscallPolicy(string name, bool withReturn) => $$"""
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "{{name}}"
        spec:
          kprobes:
          - call: "sys_mkdirat"
            syscall: true
            args:
            - index: 1
              type: "string"
        {{(withReturn ? ReturnLines : "")}}
        """;

    private const string ReturnLines = """
            return: true
            returnArg:
              index: 0
              type: "int"
        """;

    /// <summary>Links on the raw sys_exit tracepoint, host-wide, as bpftool lists them (tests run one at a time).</summary>
    private static async Task<int> SysExitLinksAsync()
    {
        var info = new ProcessStartInfo("bpftool", ["-j", "link", "show"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var bpftool = System.Diagnostics.Process.Start(info)!;
        var json = await bpftool.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bpftool.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, bpftool.ExitCode);
        using var links = System.Text.Json.JsonDocument.Parse(json);
        return links.RootElement.EnumerateArray().Count(l => l.TryGetProperty("tp_name", out var tp) && tp.GetString() == "sys_exit");
    }

    [Fact]
    public async Task MatchBinariesKnowsAProcessThatStartedBeforeThePolicy()
    {
        // The kernel keeps binaries only while a matchBinaries policy is loaded: this shell
        // exec'd long before, so only the seeding from /proc can name it.
        var shell = Trigger.Resolve("/bin/sh");
        var file = Path.Combine(Directory.CreateTempSubdirectory("tp-seed-").FullName, "seeded.txt");
        File.WriteAllText(file, "x\n");
        using var early = Trigger.Start(shell, "/", "-c", $"read line; : < {file}");
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "sh-only"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchBinaries:
                  - operator: "In"
                    values: ["{{shell}}"]
                  matchArgs:
                  - index: 1
                    operator: "Equal"
                    values: ["{{file}}"]
            """);

        await early.StandardInput.WriteLineAsync("go".AsMemory(), TestContext.Current.CancellationToken);
        early.StandardInput.Close();
        await early.WaitForExitAsync(TestContext.Current.CancellationToken);
        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Process?.Pid == (uint)early.Id)).ProcessKprobe;
        Assert.Equal(file, ev.Args[0].StringArg);
    }

    [Fact]
    public async Task UprobeOnATestProgramReportsItsArguments()
    {
        await using var agent = await AgentProcess.StartAsync();
        var program = await BuildProbeTargetAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "uprobe-target"
            spec:
              uprobes:
              - path: "{{program}}"
                symbols: ["tg_probe_target"]
                message: "probe target called"
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "string"
                - index: 2
                  type: "uint64"
            """);

        var (pid, exit) = await Trigger.RunAsync(program, "/", "hello-uprobe");
        Assert.Equal(0, exit);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessUprobe?.Process?.Pid == (uint)pid)).ProcessUprobe;
        Assert.Equal(program, ev.Path);
        Assert.Equal("tg_probe_target", ev.Symbol);
        Assert.Equal(42, ev.Args[0].IntArg);
        Assert.Equal("hello-uprobe", ev.Args[1].StringArg);
        Assert.Equal(1234567890123UL, ev.Args[2].SizeArg);
        Assert.Equal("probe target called", ev.Message);
    }

    [Fact]
    public async Task UprobeByFileOffsetReportsTheOffsetAndTheArguments()
    {
        await using var agent = await AgentProcess.StartAsync();
        var program = await BuildProbeTargetAsync();
        var offset = await FileOffsetOfAsync(program, "tg_probe_target");
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "uprobe-offset"
            spec:
              uprobes:
              - path: "{{program}}"
                offsets: [{{offset}}]
                args:
                - index: 1
                  type: "string"
            """);

        var (pid, exit) = await Trigger.RunAsync(program, "/", "by-offset");
        Assert.Equal(0, exit);

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessUprobe?.Process?.Pid == (uint)pid)).ProcessUprobe;
        Assert.Equal(offset, ev.Offset);
        Assert.Equal("", ev.Symbol);
        Assert.Equal("by-offset", ev.Args[0].StringArg);
        var listed = await ListAsync(agent, "uprobe-offset");
        Assert.Contains(listed.Sensors, s => s.Contains($"0x{offset:x}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefCtrOffsetsCountTheUsdtSemaphoreUpWhileTheProbeIsAttached()
    {
        await using var agent = await AgentProcess.StartAsync();
        // A USDT-style semaphore: the program reads it to learn whether anyone probes it.
        var program = await BuildAsync("usdt-sema", """
            #include <stdio.h>
            unsigned short tg_sema __attribute__((section(".probes"))) = 0;
            __attribute__((noinline)) int tg_usdt_site(int x) { return x + 1; }
            int main(void) { printf("%u\n", tg_sema); return tg_usdt_site(0) - 1; }
            """);
        var sema = await FileOffsetOfAsync(program, "tg_sema");

        async Task<string> RunAsync()
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = System.Diagnostics.Process.Start(info)!;
            var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            return output.Trim();
        }

        Assert.Equal("0", await RunAsync());
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "usdt-sema"
            spec:
              uprobes:
              - path: "{{program}}"
                symbols: ["tg_usdt_site"]
                refCtrOffsets: [{{sema}}]
            """);
        Assert.Equal("1", await RunAsync()); // the kernel counted the semaphore up in the new process

        var ev = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessUprobe?.Symbol == "tg_usdt_site")).ProcessUprobe;
        Assert.Equal(sema, ev.RefCtrOffset);
        await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "usdt-sema" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("0", await RunAsync());
    }

    /// <summary>A function's file offset: its address (nm) placed in the loadable segment that holds it (readelf -l).</summary>
    private static async Task<ulong> FileOffsetOfAsync(string binary, string function)
    {
        static async Task<string> Run(string tool, params string[] args)
        {
            var info = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = System.Diagnostics.Process.Start(info)!;
            var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            return output;
        }

        var address = (await Run("nm", binary)).Split('\n').Select(l => l.Split(' ')).First(f => f.Length == 3 && f[2] == function)[0];
        var vaddr = Convert.ToUInt64(address, 16);
        foreach (var line in (await Run("readelf", "-lW", binary)).Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("LOAD", StringComparison.Ordinal)))
        {
            // LOAD Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            ulong fileOffset = Convert.ToUInt64(f[1], 16), segment = Convert.ToUInt64(f[2], 16), size = Convert.ToUInt64(f[4], 16);
            if (vaddr >= segment && vaddr < segment + size)
            {
                return vaddr - segment + fileOffset;
            }
        }

        throw new InvalidOperationException($"{function} at 0x{vaddr:x} is in no loadable segment of {binary}");
    }

    [Fact]
    public async Task FiveMatchArgsInOneSelectorAreAllCheckedInTheKernel()
    {
        await using var agent = await AgentProcess.StartAsync();
        var dir = $"/tmp/five-{Guid.NewGuid():N}/";
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "five-filters"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Prefix"
                    values: ["{{dir}}"]
                  - index: 1
                    operator: "NotEqual"
                    values: ["{{dir}}x1"]
                  - index: 1
                    operator: "NotEqual"
                    values: ["{{dir}}x2"]
                  - index: 1
                    operator: "NotEqual"
                    values: ["{{dir}}x3"]
                  - index: 1
                    operator: "NotEqual"
                    values: ["{{dir}}x5"]
            """);

        await Trigger.RunAsync(Cat, "/", dir + "x5"); // fails only the fifth filter
        await Trigger.RunAsync(Cat, "/", dir + "x1"); // fails the second
        await Trigger.RunAsync(Cat, "/", dir + "ok");
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessKprobe?.Args.FirstOrDefault()?.StringArg == dir + "ok");
        var paths = ExportFile.Read(agent.ExportFile).Where(e => e.ProcessKprobe?.PolicyName == "five-filters").Select(e => e.ProcessKprobe.Args[0].StringArg).ToList();
        Assert.Equal([dir + "ok"], paths);
    }

    [Fact]
    public async Task NonMatchingEventsNeverReachUserSpace()
    {
        await using var agent = await AgentProcess.StartAsync();
        await AddAsync(agent, $$"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "never-matches"
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Equal"
                    values: ["/nonexistent/{{Guid.NewGuid():N}}"]
            """);

        for (var i = 0; i < 20; i++)
        {
            await Trigger.RunAsync(Cat, "/", "/etc/hostname");
        }

        var counters = Counters(await ListAsync(agent, "never-matches"));
        Assert.True(counters["seen"] >= 20, $"the kernel saw the openat calls ({counters["seen"]})");
        Assert.Equal(0, counters["matched"]);
        Assert.Equal(0, counters["events"]);
        Assert.DoesNotContain(ExportFile.Read(agent.ExportFile), e => e.ProcessKprobe is not null);
    }

    [Fact]
    public async Task AddDisableEnableDeleteRoundTrips()
    {
        await using var agent = await AgentProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("tp-life-").FullName;
        Directory.CreateDirectory(root + "/forbidden");
        await AddAsync(agent, MkdirKillPolicy("lifecycle", root + "/forbidden/"));
        Assert.Equal(TracingPolicyState.TpStateEnabled, (await ListAsync(agent, "lifecycle")).State);
        var sensor = Assert.Single(await SensorsAsync(agent), s => s.Collection == "lifecycle");
        Assert.Equal(("generic_kprobe", true, true, "tp_btf/sys_enter+sys_exit"), (sensor.Name, sensor.Enabled, sensor.Loaded, sensor.Backend));
        Assert.Contains(await SensorsAsync(agent), s => s.Name == "__base__" && s.Collection.Length == 0);

        await agent.Client.DisableTracingPolicyAsync(new DisableTracingPolicyRequest { Name = "lifecycle" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TracingPolicyState.TpStateDisabled, (await ListAsync(agent, "lifecycle")).State);
        Assert.False(Assert.Single(await SensorsAsync(agent), s => s.Collection == "lifecycle").Enabled);
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/a")).ExitCode);

        await agent.Client.EnableTracingPolicyAsync(new EnableTracingPolicyRequest { Name = "lifecycle" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(137, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/b")).ExitCode);

        await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "lifecycle" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty((await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies);
        Assert.DoesNotContain(await SensorsAsync(agent), s => s.Collection == "lifecycle");
        Assert.Equal(0, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/c")).ExitCode);

        // The name is free again, and a second policy can share the syscall.
        await AddAsync(agent, MkdirKillPolicy("lifecycle", root + "/forbidden/"));
        await AddAsync(agent, MkdirKillPolicy("lifecycle-2", root + "/other/"));
        Assert.Equal(137, (await Trigger.RunAsync(Mkdir, root, root + "/forbidden/d")).ExitCode);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.DeleteTracingPolicyAsync(new DeleteTracingPolicyRequest { Name = "nope" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: sys_openat\n    syscall: true\n    args:\n    - index: 1\n      type: string\n    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Equa\n        values: [/x]\n", "spec.kprobes[0].selectors[0].matchArgs[0].operator")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: sys_openat\n    syscall: true\n    bogus: 1\n", "spec.kprobes[0].bogus")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: sys_openat\n    syscall: true\n    args:\n    - index: 1\n      type: strng\n", "spec.kprobes[0].args[0].type")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: sys_connect\n    syscall: true\n    args:\n    - index: 1\n      type: sockaddr\n    selectors:\n    - matchArgs:\n      - index: 1\n        operator: DPort\n        values: [80]\n", "spec.kprobes[0].selectors[0].matchArgs[0].operator")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: security_file_open\n    syscall: false\n", "needs kprobes")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  lsmhooks:\n  - hook: file_open\n", "BPF LSM")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: sys_openat\n    syscall: true\n    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n", "action Override")]
    [InlineData("kind: TracingPolicy\napiVersion: cilium.io/v1alpha1\nmetadata:\n  name: bad\nspec:\n  tracepoints:\n  - subsystem: nosuch\n    event: nothing\n", "spec.tracepoints[0]")]
    public async Task BrokenPoliciesAreRejectedWithTheirFieldAndTheAgentStaysUp(string yaml, string expected)
    {
        await using var agent = await AgentProcess.StartAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = yaml }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(expected, e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies);
        await agent.WaitHealthyAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EveryExamplePolicyThisKernelSupportsLoadsForReal()
    {
        await using var agent = await AgentProcess.StartAsync();
        var loaded = new List<string>();
        var refused = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot(), "policies"), "*.yaml").Order(StringComparer.Ordinal))
        {
            try
            {
                await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = File.ReadAllText(file) }, cancellationToken: TestContext.Current.CancellationToken);
                loaded.Add(Path.GetFileName(file));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                refused[Path.GetFileName(file)] = e.Status.Detail;
            }
        }

        Assert.Contains("sys-mkdir-kill.yaml", loaded);
        Assert.Contains("openat-shadow.yaml", loaded);
        Assert.Contains("openat-passwd-shadow.yaml", loaded);
        Assert.Contains("setuid-root.yaml", loaded);
        Assert.Contains("uprobe-bash-readline.yaml", loaded);
        Assert.Contains("sys-connect.yaml", loaded);

        // Each refusal names what this kernel (or this agent, run without Docker) lacks: never a silent skip.
        Assert.All(refused.Values, reason => Assert.Matches("lacks|refuses|runs without Docker", reason));
        Assert.Contains("container-mkdir-kill.yaml", refused.Keys); // podSelector: loaded for real by scripts/docker-e2e.sh
        Assert.Equal(loaded.Count, (await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies.Count);
    }

    [Fact]
    public async Task TracingPolicyFlagLoadsAtStartUp()
    {
        var dir = Directory.CreateTempSubdirectory("tp-dir-").FullName;
        File.Copy(Path.Combine(RepoRoot(), "policies", "setuid-root.yaml"), Path.Combine(dir, "setuid-root.yaml"));
        await using var agent = await AgentProcess.StartAsync("--tracing-policy", Path.Combine(RepoRoot(), "policies", "openat-shadow.yaml"), "--tracing-policy-dir", dir);
        var names = (await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies.Select(p => p.Name).ToList();
        Assert.Contains("openat-shadow", names);
        Assert.Contains("setuid-root", names);
    }

    internal static string MkdirKillPolicy(string name, string value, string op = "Prefix") => MkdirPolicy(name, value, """
              matchActions:
              - action: Sigkill
        """, op);

    /// <summary>A policy on mkdir(2) whose selector matches the path by <paramref name="op"/> and goes on with <paramref name="selectorTail"/> (indented as a selector's fields).</summary>
    internal static string MkdirPolicy(string name, string value, string selectorTail, string op = "Prefix") => $$"""
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "{{name}}"
        spec:
          kprobes:
          - call: "sys_mkdir"
            syscall: true
            args:
            - index: 0
              type: "string"
            - index: 1
              type: "int"
            selectors:
            - matchArgs:
              - index: 0
                operator: "{{op}}"
                values: ["{{value}}"]
        {{selectorTail}}
        """;

    /// <summary>A blocking connect(2) to 127.0.0.1:port from this process, then close.</summary>
    private static void Connect(uint port)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, (int)port));
    }

    private static async Task AddAsync(AgentProcess agent, string yaml) =>
        await agent.Client.AddTracingPolicyAsync(new AddTracingPolicyRequest { Yaml = yaml }, cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<List<SensorStatus>> SensorsAsync(AgentProcess agent) =>
        [.. (await agent.Client.ListSensorsAsync(new ListSensorsRequest(), cancellationToken: TestContext.Current.CancellationToken)).Sensors];

    private static async Task<TracingPolicyStatus> ListAsync(AgentProcess agent, string name) =>
        (await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: TestContext.Current.CancellationToken)).Policies.Single(p => p.Name == name);

    /// <summary>The kernel counters the agent reports in the policy's info: events, matched, seen, errors ...</summary>
    private static Dictionary<string, long> Counters(TracingPolicyStatus status) =>
        CounterPattern().Matches(status.Info).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<string> BuildProbeTargetAsync()
    {
        var dir = Directory.CreateTempSubdirectory("tp-uprobe-").FullName;
        var source = Path.Combine(dir, "target.c");
        var binary = Path.Combine(dir, "probe-target");
        File.WriteAllText(source, """
            #include <stdio.h>
            __attribute__((noinline)) int tg_probe_target(int n, const char *text, unsigned long long big)
            {
                return printf("%d %s %llu\n", n, text, big) > 0 ? 0 : 1;
            }
            int main(int argc, char **argv)
            {
                return tg_probe_target(42, argc > 1 ? argv[1] : "", 1234567890123ULL);
            }
            """);
        var info = new ProcessStartInfo("cc", ["-O1", "-o", binary, source]) { UseShellExecute = false };
        using var cc = System.Diagnostics.Process.Start(info)!;
        await cc.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, cc.ExitCode);
        return binary;
    }

    /// <summary>
    /// A program that makes mkdir(2) itself (no libc wrapper, whose missing frame would hide its
    /// caller) two calls deep, with frame pointers, then lingers so that its maps can be read.
    /// </summary>
    private static Task<string> BuildStackTargetAsync() => BuildAsync("stack-target", """
            #include <unistd.h>
            __attribute__((noinline)) long tg_make_dir(const char *path)
            {
                long ret;
                __asm__ volatile("syscall" : "=a"(ret) : "a"(83L), "D"(path), "S"(0755L) : "rcx", "r11", "memory");
                return ret;
            }
            __attribute__((noinline)) long tg_outer(const char *path)
            {
                long ret = tg_make_dir(path);
                return ret;
            }
            int main(int argc, char **argv)
            {
                long ret = tg_outer(argv[1]);
                sleep(2);
                return ret == 0 ? 0 : 1;
            }
            """);

    /// <summary>A C program compiled for the test (frame pointers kept, for the stack tests).</summary>
    private static async Task<string> BuildAsync(string name, string program)
    {
        var dir = Directory.CreateTempSubdirectory($"tp-{name}-").FullName;
        var source = Path.Combine(dir, name + ".c");
        var binary = Path.Combine(dir, name);
        File.WriteAllText(source, program);
        var info = new ProcessStartInfo("cc", ["-O0", "-fno-omit-frame-pointer", "-o", binary, source]) { UseShellExecute = false };
        using var cc = System.Diagnostics.Process.Start(info)!;
        await cc.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, cc.ExitCode);
        return binary;
    }

    /// <summary>The checkout this test was built from (the binaries may live in another artifacts folder).</summary>
    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(source)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tetragon.Docker.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"(\w+)=(\d+)")]
    private static partial Regex CounterPattern();
}
