using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Tests;

public sealed class CompactEventEncoderTests
{
    private readonly CompactEventEncoder _plain = new(new CompactEncoderOptions());

    [Fact]
    public void Exec_ContainerProcess()
    {
        var process = TestEvents.Proc("/usr/bin/bash", "-c \"curl -I https://ebpf.io/\"", container: "xwing");
        Assert.Equal("🚀 process xwing /usr/bin/bash -c \"curl -I https://ebpf.io/\"", _plain.Encode(TestEvents.Exec(process)));
    }

    [Fact]
    public void Exec_HostProcessHasNoSource()
    {
        Assert.Equal("🚀 process /usr/bin/ls -la", _plain.Encode(TestEvents.Exec(TestEvents.Proc("/usr/bin/ls", "-la"))));
    }

    [Fact]
    public void Exit_StatusOrSignal()
    {
        var process = TestEvents.Proc("/usr/bin/curl", "-I https://ebpf.io/", container: "xwing");
        Assert.Equal("💥 exit    xwing /usr/bin/curl -I https://ebpf.io/ 0", _plain.Encode(TestEvents.Exit(process)));
        Assert.Equal("💥 exit    xwing /usr/bin/curl -I https://ebpf.io/ SIGKILL", _plain.Encode(TestEvents.Exit(process, "SIGKILL", 9)));
    }

    [Fact]
    public void Kprobe_FdInstallIsOpen()
    {
        var ev = TestEvents.Kprobe(TestEvents.Proc("/usr/bin/cat", "/etc/passwd", container: "web"), "fd_install", "",
            new KprobeArgument { IntArg = 3 }, new KprobeArgument { FileArg = new KprobeFile { Path = "/etc/passwd" } });
        Assert.Equal("📬 open    web /usr/bin/cat /etc/passwd", _plain.Encode(ev));
    }

    [Fact]
    public void Kprobe_SysWriteWithBytes()
    {
        var ev = TestEvents.Kprobe(TestEvents.Proc("/usr/bin/vi"), "__x64_sys_write", "",
            new KprobeArgument { FileArg = new KprobeFile { Path = "/etc/shadow" } },
            new KprobeArgument { BytesArg = Google.Protobuf.ByteString.CopyFromUtf8("x") },
            new KprobeArgument { SizeArg = 1234 });
        Assert.Equal("📝 write   /usr/bin/vi /etc/shadow 1234 bytes", _plain.Encode(ev));
    }

    [Fact]
    public void Kprobe_SetuidMountAndFallback()
    {
        var proc = TestEvents.Proc("/usr/bin/sudo");
        Assert.Equal("🔑 setuid  /usr/bin/sudo 0", _plain.Encode(TestEvents.Kprobe(proc, "__x64_sys_setuid", "", new KprobeArgument { IntArg = 0 })));
        Assert.Equal("💾 mount   /usr/bin/sudo /dev/sda1 /mnt", _plain.Encode(TestEvents.Kprobe(proc, "__arm64_sys_mount", "",
            new KprobeArgument { StringArg = "/dev/sda1" }, new KprobeArgument { StringArg = "/mnt" })));
        Assert.Equal("❓ syscall /usr/bin/sudo security_bprm_check", _plain.Encode(TestEvents.Kprobe(proc, "security_bprm_check")));
    }

    [Fact]
    public void Kprobe_TcpConnect()
    {
        var ev = TestEvents.Kprobe(TestEvents.Proc("/usr/bin/curl", container: "web"), "tcp_connect", "",
            new KprobeArgument { SockArg = new KprobeSock { Saddr = "10.0.0.2", Sport = 40000, Daddr = "1.1.1.1", Dport = 443 } });
        Assert.Equal("🔌 connect web /usr/bin/curl tcp 10.0.0.2:40000 -> 1.1.1.1:443", _plain.Encode(ev));
    }

    [Fact]
    public void Kprobe_PerfEventAllocShowsTheTypeAndTheKprobeFunction()
    {
        // Tetragon's own line for this function, with its layout: the type, then the function.
        var proc = TestEvents.Proc("/usr/bin/bpftool");
        var ev = TestEvents.Kprobe(proc, "security_perf_event_alloc", "",
            new KprobeArgument { PerfEventArg = new KprobePerfEvent { KprobeFunc = "commit_creds", Type = "PERF_TYPE_TRACEPOINT" } });
        Assert.Equal("🐝 perf_event_alloc /usr/bin/bpftool PERF_TYPE_TRACEPOINT commit_creds", _plain.Encode(ev));
        Assert.Equal("🐝 perf_event_alloc /usr/bin/bpftool", _plain.Encode(TestEvents.Kprobe(proc, "security_perf_event_alloc")));
    }

    [Fact]
    public void Kprobe_SysConnectShowsTheSockaddr()
    {
        var proc = TestEvents.Proc("/usr/bin/curl", container: "web");
        KprobeArgument Connect(string family, string addr, uint port) =>
            new() { SockaddrArg = new KprobeSockaddr { Family = family, Addr = addr, Port = port } };

        Assert.Equal("🔌 connect web /usr/bin/curl 127.0.0.1:8080", _plain.Encode(TestEvents.Kprobe(proc, "__x64_sys_connect", "",
            new KprobeArgument { IntArg = 3 }, Connect("AF_INET", "127.0.0.1", 8080))));
        Assert.Equal("🔌 connect web /usr/bin/curl [2001:db8::1]:443", _plain.Encode(TestEvents.Kprobe(proc, "__x64_sys_connect", "",
            new KprobeArgument { IntArg = 3 }, Connect("AF_INET6", "2001:db8::1", 443))));
        Assert.Equal("🔌 connect web /usr/bin/curl AF_UNIX", _plain.Encode(TestEvents.Kprobe(proc, "__x64_sys_connect", "",
            Connect("AF_UNIX", "", 0))));

        // Without a sockaddr argument: Tetragon's generic line.
        Assert.Equal("❓ syscall web /usr/bin/curl __x64_sys_connect", _plain.Encode(TestEvents.Kprobe(proc, "__x64_sys_connect", "",
            new KprobeArgument { IntArg = 3 })));
    }

    [Fact]
    public void Kprobe_FilePermissionReadOrWrite()
    {
        var proc = TestEvents.Proc("/usr/bin/cat");
        var file = new KprobeArgument { FileArg = new KprobeFile { Path = "/etc/hosts" } };
        Assert.Equal("📚 read    /usr/bin/cat /etc/hosts", _plain.Encode(TestEvents.Kprobe(proc, "security_file_permission", "", file, new KprobeArgument { IntArg = 4 })));
        Assert.Equal("📝 write   /usr/bin/cat /etc/hosts", _plain.Encode(TestEvents.Kprobe(proc, "security_file_permission", "", file, new KprobeArgument { IntArg = 2 })));
    }

    [Fact]
    public void TracepointUprobeLsm()
    {
        var proc = TestEvents.Proc("/bin/sh", container: "c1");
        var tp = new GetEventsResponse { ProcessTracepoint = new ProcessTracepoint { Process = proc, Subsys = "syscalls", Event = "sys_enter_kill" } };
        Assert.Equal("⁉️ tracepoint c1 /bin/sh syscalls sys_enter_kill", _plain.Encode(tp));

        var up = new GetEventsResponse { ProcessUprobe = new ProcessUprobe { Process = proc, Path = "/bin/bash", Symbol = "readline" } };
        Assert.Equal("🕵️ uprobe  c1 /bin/sh /bin/bash readline", _plain.Encode(up));

        var lsm = new GetEventsResponse { ProcessLsm = new ProcessLsm { Process = proc, FunctionName = "file_open" } };
        Assert.Equal("🔒 LSM     c1 /bin/sh file_open", _plain.Encode(lsm));
    }

    [Fact]
    public void RawSyscallEnterNamesTheSyscall()
    {
        var proc = TestEvents.Proc("/usr/bin/curl", container: "web");
        GetEventsResponse Enter(uint id, string abi) => new()
        {
            ProcessTracepoint = new ProcessTracepoint
            {
                Process = proc,
                Subsys = "raw_syscalls",
                Event = "sys_enter",
                Args = { new KprobeArgument { SyscallId = new SyscallId { Id = id, Abi = abi } } },
            },
        };

        Assert.Equal("☎ syscall web /usr/bin/curl connect", _plain.Encode(Enter(42, "x64")));
        Assert.Equal("☎ syscall web /usr/bin/curl execve", _plain.Encode(Enter(59, "x64")));
        Assert.Equal("☎ syscall web /usr/bin/curl i386/execve", _plain.Encode(Enter(11, "i386"))); // i386's own numbering
        Assert.Equal("☎ syscall web /usr/bin/curl i386/9999", _plain.Encode(Enter(9999, "i386")));
        Assert.Equal("☎ syscall web /usr/bin/curl x64/9999", _plain.Encode(Enter(9999, "x64")));
    }

    [Fact]
    public void TestEvent_HasNoCompactForm()
    {
        Assert.Null(_plain.Encode(new GetEventsResponse { Test = new Test() }));
        Assert.False(_plain.Write(new GetEventsResponse { Test = new Test() }, new StringWriter()));
    }

    [Fact]
    public void ControlCharacters_AreEscaped()
    {
        var process = TestEvents.Proc("/tmp/\u001b]0;pwned\u0007evil", "a\nb\rc\u009b2J", container: "bad\u001b[2Jname");
        var line = _plain.Encode(TestEvents.Exec(process))!;
        Assert.Equal("🚀 process bad\\x1b[2Jname /tmp/\\x1b]0;pwned\\x07evil a\\nb\\rc\\x9b2J", line);
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Color_WrapsPartsAndKeepsUserTextEscaped()
    {
        var color = new CompactEventEncoder(new CompactEncoderOptions(Color: true));
        var line = color.Encode(TestEvents.Exec(TestEvents.Proc("/bin/ls\u001b", "-l", container: "web")))!;
        Assert.Equal(
            "\u001b[34m🚀 process\u001b[0m \u001b[32mweb\u001b[0m \u001b[35m/bin/ls\\x1b\u001b[0m \u001b[36m-l\u001b[0m",
            line);
    }

    [Fact]
    public void Timestamps_Prefix()
    {
        var encoder = new CompactEventEncoder(new CompactEncoderOptions(Timestamps: true));
        var ev = TestEvents.Exec(TestEvents.Proc("/bin/ls"));
        Assert.Equal("2024-05-01T10:11:12.123456789Z 🚀 process /bin/ls", encoder.Encode(ev));
        Assert.Equal("1970-01-01T00:00:01.000000005Z", CompactEventEncoder.FormatTime(new Timestamp { Seconds = 1, Nanos = 5 }));
    }

    [Fact]
    public void TerminalText_EscapesBidiAndKeepsEmoji()
    {
        Assert.Equal("abc\\u202eevil 🚀", TerminalText.Sanitize("abc\u202eevil 🚀"));
        Assert.Equal("tab\\tx\\x7f", TerminalText.Sanitize("tab\tx\u007f"));
    }
}
