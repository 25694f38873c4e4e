using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>Probes what this kernel offers, so each hook can pick a backend (or report why it cannot).</summary>
public sealed record KernelFeatures(bool Btf, bool RingBuffer, bool BpfLoop, string KernelRelease)
{
    private const int BpfProgTypeTracepoint = 5;
    private const int BpfFuncSendSignal = 109;

    /// <summary>bpf_send_signal from tracing programs (Sigkill / Signal actions).</summary>
    public bool SendSignal { get; init; }

    /// <summary>The kernel registers kprobe / uprobe perf event sources.</summary>
    public bool Kprobes { get; init; }

    public bool Uprobes { get; init; }

    /// <summary>"bpf" is among the active LSMs (/sys/kernel/security/lsm): lsmhooks can run.</summary>
    public bool BpfLsm { get; init; }

    private const int BpfMapTypeRingbuf = 27;
    private const int BpfProgTypeSocketFilter = 1;
    private const int BpfFuncLoop = 181;

    public static KernelFeatures Probe()
    {
        var release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        return new KernelFeatures(
            Btf: File.Exists("/sys/kernel/btf/vmlinux"),
            RingBuffer: LibBpf.ProbeMapType(BpfMapTypeRingbuf, 0) == 1,
            BpfLoop: LibBpf.ProbeHelper(BpfProgTypeSocketFilter, BpfFuncLoop, 0) == 1,
            KernelRelease: release)
        {
            SendSignal = LibBpf.ProbeHelper(BpfProgTypeTracepoint, BpfFuncSendSignal, 0) == 1,
            Kprobes = Directory.Exists("/sys/bus/event_source/devices/kprobe"),
            Uprobes = Directory.Exists("/sys/bus/event_source/devices/uprobe"),
            BpfLsm = ActiveLsms().Contains("bpf"),
        };
    }

    /// <summary>The kernel's active LSMs; none when securityfs is not mounted (it is not probed further).</summary>
    private static string[] ActiveLsms()
    {
        try
        {
            return File.ReadAllText("/sys/kernel/security/lsm").Trim().Split(',');
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Null when the process sensor can run here, else the missing feature.</summary>
    public string? MissingForProcessSensor() =>
        !Btf ? "BTF (/sys/kernel/btf/vmlinux)"
        : !RingBuffer ? "BPF ring buffer (kernel >= 5.8)"
        : !BpfLoop ? "bpf_loop helper (kernel >= 5.17)"
        : null;
}
