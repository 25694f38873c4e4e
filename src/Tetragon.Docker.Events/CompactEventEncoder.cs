using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>
/// Tetragon's <c>-o compact</c> lines: <c>&lt;emoji&gt; &lt;event, width 7&gt; [container] &lt;binary&gt; &lt;details&gt;</c>.
/// Every user-controlled string goes through <see cref="TerminalText.Sanitize"/>.
/// </summary>
public sealed class CompactEventEncoder(CompactEncoderOptions options)
{
    private const string Blue = "\u001b[34m";
    private const string Green = "\u001b[32m";
    private const string Magenta = "\u001b[35m";
    private const string Cyan = "\u001b[36m";
    private const string Red = "\u001b[31m";
    private const string Reset = "\u001b[0m";

    // Linux capable()/file masks and clone flags used to describe some hooks.
    private const int MayWrite = 0x2;
    private const int MayRead = 0x4;
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;

    private readonly CompactEncoderOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Writes the compact line of <paramref name="response"/> and '\n'; false when the event has no compact form.</summary>
    public bool Write(GetEventsResponse response, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var line = Encode(response);
        if (line is null)
        {
            return false;
        }

        writer.Write(line);
        writer.Write('\n');
        return true;
    }

    /// <summary>The compact line of <paramref name="response"/> (no line terminator), or null when it has none (test events).</summary>
    public string? Encode(GetEventsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = response.EventCase switch
        {
            GetEventsResponse.EventOneofCase.ProcessExec => Exec(response.ProcessExec),
            GetEventsResponse.EventOneofCase.ProcessExit => Exit(response.ProcessExit),
            GetEventsResponse.EventOneofCase.ProcessKprobe => Kprobe(response.ProcessKprobe),
            GetEventsResponse.EventOneofCase.ProcessTracepoint => Tracepoint(response.ProcessTracepoint),
            GetEventsResponse.EventOneofCase.ProcessUprobe => Uprobe(response.ProcessUprobe),
            GetEventsResponse.EventOneofCase.ProcessLsm => Lsm(response.ProcessLsm),
            GetEventsResponse.EventOneofCase.ProcessUsdt => Usdt(response.ProcessUsdt),
            GetEventsResponse.EventOneofCase.ProcessThrottle => Throttle(response.ProcessThrottle),
            GetEventsResponse.EventOneofCase.RateLimitInfo => Line("🚦", "ratelimit", null,
                Paint(Red, $"{response.RateLimitInfo.NumberOfDroppedProcessEvents.ToString(CultureInfo.InvariantCulture)} events dropped")),
            _ => null,
        };

        if (body is null)
        {
            return null;
        }

        return _options.Timestamps && response.Time is not null
            ? $"{FormatTime(response.Time)} {body}"
            : body;
    }

    /// <summary>RFC 3339 UTC with nanoseconds, e.g. <c>2024-05-01T10:11:12.123456789Z</c>.</summary>
    public static string FormatTime(Timestamp time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var seconds = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(time.Seconds, -62135596800L, 253402300799L));
        return string.Create(CultureInfo.InvariantCulture, $"{seconds.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss}.{time.Nanos:D9}Z");
    }

    private string Exec(ProcessExec exec) =>
        Line("🚀", "process", exec.Process, Paint(Cyan, Safe(exec.Process?.Arguments)));

    private string Exit(ProcessExit exit)
    {
        var status = string.IsNullOrEmpty(exit.Signal)
            ? exit.Status.ToString(CultureInfo.InvariantCulture)
            : Safe(exit.Signal);
        return Line("💥", "exit", exit.Process, Paint(Cyan, Safe(exit.Process?.Arguments)), Paint(Red, status));
    }

    private string Kprobe(ProcessKprobe kprobe)
    {
        var args = kprobe.Args;
        var process = kprobe.Process;
        var name = NormalizeFunction(kprobe.FunctionName);
        switch (name)
        {
            case "sys_write":
            case "sys_read":
            {
                var write = name == "sys_write";
                var bytes = args.Count > 2 ? Number(args[2]) : null;
                return Line(write ? "📝" : "📚", write ? "write" : "read", process,
                    Safe(FirstPath(args) ?? (args.Count > 0 ? Text(args[0]) : null)),
                    bytes is null ? null : Paint(Cyan, $"{bytes} bytes"));
            }

            case "fd_install":
            case "sys_open":
            case "sys_openat":
            case "sys_openat2":
            case "do_sys_open":
            case "do_sys_openat2":
            case "security_file_open":
                return Line("📬", "open", process, Safe(FirstPath(args) ?? FirstString(args)));

            case "sys_close":
                return Line("📪", "close", process, Safe(FirstPath(args) ?? (args.Count > 0 ? Text(args[0]) : null)));

            case "security_file_permission":
            case "security_mmap_file":
            case "security_path_truncate":
            {
                var (emoji, word) = Access(name, args);
                return Line(emoji, word, process, Safe(FirstPath(args)));
            }

            case "sys_mount":
                return Line("💾", "mount", process, Safe(StringAt(args, 0)), Safe(StringAt(args, 1)));

            case "sys_pivot_root":
                return Line("💾", "pivot_root", process, Safe(StringAt(args, 0)), Safe(StringAt(args, 1)));

            case "sys_setuid":
                return Line("🔑", "setuid", process, Paint(Cyan, args.Count > 0 ? Number(args[0]) : null));

            case "sys_clock_settime":
                return Line("⏰", "clock_settime", process);

            case "sys_setns":
                return Line("🔧", "setns", process, Paint(Cyan, args.Count > 1 ? NamespaceName(args[1]) : null));

            case "tcp_connect":
                return Line("🔌", "connect", process, Paint(Cyan, Sock(args, null)));

            case "sys_connect" when Sockaddr(args) is { } address:
                return Line("🔌", "connect", process, Paint(Cyan, address));

            case "tcp_close":
                return Line("🧹", "close", process, Paint(Cyan, Sock(args, null)));

            case "tcp_sendmsg":
                return Line("📤", "sendmsg", process, Paint(Cyan, Sock(args, args.Count > 1 ? Number(args[1]) : null)));

            case "bpf_check":
            {
                var attr = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.BpfAttrArg)?.BpfAttrArg;
                var detail = attr is null
                    ? null
                    : $"{Safe(attr.ProgType)} {Safe(attr.ProgName)} instruction count {attr.InsnCnt.ToString(CultureInfo.InvariantCulture)}";
                return Line("🐝", "bpf_load", process, Paint(Cyan, detail));
            }

            case "security_perf_event_alloc":
            {
                var perf = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.PerfEventArg)?.PerfEventArg;
                var detail = perf is null ? null : $"{Safe(perf.Type)} {Safe(perf.KprobeFunc)}";
                return Line("🐝", "perf_event_alloc", process, Paint(Cyan, detail));
            }

            case "security_bpf_map_alloc":
            {
                var map = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.BpfMapArg)?.BpfMapArg;
                var detail = map is null
                    ? null
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{Safe(map.MapType)} {Safe(map.MapName)} key size {map.KeySize} value size {map.ValueSize} max entries {map.MaxEntries}");
                return Line("🗺", "bpf_map_create", process, Paint(Cyan, detail));
            }

            default:
                return Line("❓", "syscall", process, Paint(Cyan, Safe(kprobe.FunctionName)));
        }
    }

    /// <summary>The x86_64 name, as Tetragon prints it; a 32-bit task's as "i386/name"; an unknown one as "abi/N".</summary>
    private static string SyscallName(SyscallId id)
    {
        if (id.Abi is "" or "x64" && Policy.Linux.SyscallTable.NameOf((int)id.Id) is { } name)
        {
            return name;
        }

        if (id.Abi == "i386" && Policy.Linux.SyscallTable.I386NameOf((int)id.Id) is { } compat)
        {
            return "i386/" + compat;
        }

        return (string.IsNullOrEmpty(id.Abi) ? "" : Safe(id.Abi) + "/") + id.Id.ToString(CultureInfo.InvariantCulture);
    }

    private string Tracepoint(ProcessTracepoint tp)
    {
        if (tp.Subsys == "raw_syscalls" && tp.Event == "sys_enter")
        {
            var id = tp.Args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.SyscallId)?.SyscallId;
            var detail = id is not null ? SyscallName(id) : tp.Args.Count > 0 ? Number(tp.Args[0]) : null;
            return Line("☎", "syscall", tp.Process, Paint(Cyan, detail));
        }

        return Line("⁉️", "tracepoint", tp.Process, Paint(Cyan, Safe(tp.Subsys)), Paint(Cyan, Safe(tp.Event)));
    }

    private string Uprobe(ProcessUprobe uprobe)
    {
        var symbol = string.IsNullOrEmpty(uprobe.Symbol)
            ? "0x" + uprobe.Offset.ToString("x", CultureInfo.InvariantCulture)
            : Safe(uprobe.Symbol);
        return Line("🕵️", "uprobe", uprobe.Process, Paint(Cyan, Safe(uprobe.Path)), Paint(Cyan, symbol));
    }

    private string Lsm(ProcessLsm lsm) =>
        Line("🔒", "LSM", lsm.Process, Paint(Cyan, Safe(lsm.FunctionName)));

    private string Usdt(ProcessUsdt usdt) =>
        Line("🕵️", "usdt", usdt.Process, Paint(Cyan, Safe(usdt.Path)), Paint(Cyan, $"{Safe(usdt.Provider)}:{Safe(usdt.Name)}"));

    private string Throttle(ProcessThrottle throttle)
    {
        var kind = throttle.Type switch
        {
            ThrottleType.ThrottleStart => "start",
            ThrottleType.ThrottleStop => "stop",
            _ => "unknown",
        };
        return Line("🧬", "throttle", null, Paint(Green, Safe(throttle.Cgroup)), Paint(Red, kind));
    }

    private string Line(string emoji, string word, Process? process, params string?[] details)
    {
        var sb = new StringBuilder(128);
        sb.Append(Paint(Blue, $"{emoji} {word,-7}"));
        if (process is not null)
        {
            var container = EventFields.ContainerOf(process);
            string? source = null;
            if (process.Pod is not null && process.Container is null)
            {
                source = $"{Safe(process.Pod.Namespace)}/{Safe(process.Pod.Name)}";
            }
            else if (!string.IsNullOrEmpty(container?.Name))
            {
                source = Safe(container.Name);
            }
            else if (!string.IsNullOrEmpty(process.Docker))
            {
                source = Safe(process.Docker);
            }

            if (!string.IsNullOrEmpty(source))
            {
                sb.Append(' ').Append(Paint(Green, source));
            }

            sb.Append(' ').Append(Paint(Magenta, Safe(process.Binary)));
        }

        foreach (var detail in details)
        {
            if (!string.IsNullOrEmpty(detail))
            {
                sb.Append(' ').Append(detail);
            }
        }

        return sb.ToString();
    }

    private string? Paint(string color, string? text) =>
        !_options.Color || string.IsNullOrEmpty(text) ? text : color + text + Reset;

    private static string Safe(string? text) => TerminalText.Sanitize(text);

    private static string NormalizeFunction(string function)
    {
        ReadOnlySpan<string> prefixes = ["__x64_", "__ia32_", "__arm64_", "__riscv_", "__s390x_", "__se_"];
        foreach (var prefix in prefixes)
        {
            if (function.StartsWith(prefix, StringComparison.Ordinal))
            {
                return function[prefix.Length..];
            }
        }

        return function.StartsWith("ksys_", StringComparison.Ordinal) ? function[1..] : function;
    }

    private static (string Emoji, string Word) Access(string function, IReadOnlyList<KprobeArgument> args)
    {
        if (function == "security_path_truncate")
        {
            return ("📝", "write");
        }

        var mask = args.Count > 1 ? Integer(args[1]) : null;
        if (mask is null)
        {
            return ("❓", "syscall");
        }

        var (write, read) = function == "security_mmap_file" ? (ProtWrite, ProtRead) : (MayWrite, MayRead);
        if ((mask.Value & write) != 0)
        {
            return ("📝", "write");
        }

        return (mask.Value & read) != 0 ? ("📚", "read") : ("❓", "syscall");
    }

    private static string? FirstPath(IReadOnlyList<KprobeArgument> args)
    {
        foreach (var arg in args)
        {
            switch (arg.ArgCase)
            {
                case KprobeArgument.ArgOneofCase.FileArg:
                    return arg.FileArg.Path;
                case KprobeArgument.ArgOneofCase.PathArg:
                    return arg.PathArg.Path;
                case KprobeArgument.ArgOneofCase.LinuxBinprmArg:
                    return arg.LinuxBinprmArg.Path;
            }
        }

        return null;
    }

    private static string? FirstString(IReadOnlyList<KprobeArgument> args) =>
        args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.StringArg)?.StringArg;

    private static string? StringAt(IReadOnlyList<KprobeArgument> args, int index) =>
        index < args.Count ? Text(args[index]) : null;

    private static string? Text(KprobeArgument arg) => arg.ArgCase switch
    {
        KprobeArgument.ArgOneofCase.StringArg => arg.StringArg,
        KprobeArgument.ArgOneofCase.FileArg => arg.FileArg.Path,
        KprobeArgument.ArgOneofCase.PathArg => arg.PathArg.Path,
        _ => Number(arg),
    };

    private static long? Integer(KprobeArgument arg) => arg.ArgCase switch
    {
        KprobeArgument.ArgOneofCase.IntArg => arg.IntArg,
        KprobeArgument.ArgOneofCase.UintArg => arg.UintArg,
        KprobeArgument.ArgOneofCase.LongArg => arg.LongArg,
        KprobeArgument.ArgOneofCase.SizeArg => (long)Math.Min(arg.SizeArg, long.MaxValue),
        _ => null,
    };

    private static string? Number(KprobeArgument arg) => arg.ArgCase switch
    {
        KprobeArgument.ArgOneofCase.IntArg => arg.IntArg.ToString(CultureInfo.InvariantCulture),
        KprobeArgument.ArgOneofCase.UintArg => arg.UintArg.ToString(CultureInfo.InvariantCulture),
        KprobeArgument.ArgOneofCase.LongArg => arg.LongArg.ToString(CultureInfo.InvariantCulture),
        KprobeArgument.ArgOneofCase.SizeArg => arg.SizeArg.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string? Sock(IReadOnlyList<KprobeArgument> args, string? bytes)
    {
        var sock = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.SockArg)?.SockArg;
        if (sock is null)
        {
            return bytes is null ? null : $"bytes {bytes}";
        }

        var text = string.Create(CultureInfo.InvariantCulture,
            $"tcp {Safe(sock.Saddr)}:{sock.Sport} -> {Safe(sock.Daddr)}:{sock.Dport}");
        return bytes is null ? text : $"{text} bytes {bytes}";
    }

    /// <summary>The first sockaddr argument: <c>10.0.0.1:443</c>, <c>[::1]:8080</c>, or its family alone (AF_UNIX).</summary>
    private static string? Sockaddr(IReadOnlyList<KprobeArgument> args)
    {
        var sockaddr = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.SockaddrArg)?.SockaddrArg;
        if (sockaddr is null || (sockaddr.Family.Length == 0 && sockaddr.Addr.Length == 0))
        {
            return null;
        }

        if (sockaddr.Addr.Length == 0)
        {
            return Safe(sockaddr.Family);
        }

        var port = sockaddr.Port.ToString(CultureInfo.InvariantCulture);
        return sockaddr.Addr.Contains(':', StringComparison.Ordinal) ? $"[{Safe(sockaddr.Addr)}]:{port}" : $"{Safe(sockaddr.Addr)}:{port}";
    }

    private static string? NamespaceName(KprobeArgument arg)
    {
        var flags = Integer(arg);
        if (flags is null)
        {
            return null;
        }

        return flags.Value switch
        {
            0 => "any",
            0x00000080 => "time",
            0x00020000 => "mnt",
            0x02000000 => "cgroup",
            0x04000000 => "uts",
            0x08000000 => "ipc",
            0x10000000 => "user",
            0x20000000 => "pid",
            0x40000000 => "net",
            _ => "0x" + flags.Value.ToString("x", CultureInfo.InvariantCulture),
        };
    }
}
