using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>
/// Converts BPF's bpf_ktime_get_boot_ns() timestamps to wall-clock time: the offset
/// between CLOCK_REALTIME and CLOCK_BOOTTIME is measured once at start-up.
/// </summary>
public sealed class BootClock
{
    private const int ClockRealtime = 0;
    private const int ClockBoottime = 7;

    private readonly long realtimeMinusBootNs;

    public BootClock()
    {
        realtimeMinusBootNs = Read(ClockRealtime) - Read(ClockBoottime);
    }

    public static ulong NowBootNs() => (ulong)Read(ClockBoottime);

    public DateTimeOffset ToWallClock(ulong bootNs)
    {
        var unixNs = realtimeMinusBootNs + (long)bootNs;
        return DateTimeOffset.UnixEpoch.AddTicks(unixNs / 100);
    }

    /// <summary>Nanoseconds since the Unix epoch, for timestamps that keep full precision.</summary>
    public long ToUnixNs(ulong bootNs) => realtimeMinusBootNs + (long)bootNs;

    private static long Read(int clock)
    {
        if (LibC.ClockGetTime(clock, out var ts) != 0)
        {
            throw new BpfException($"clock_gettime({clock}) failed", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }

        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }
}
