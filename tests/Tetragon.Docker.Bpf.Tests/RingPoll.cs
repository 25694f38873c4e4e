using System.Diagnostics;
using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf.Tests;

/// <summary>
/// poll(2) on a ring buffer's fd that tells a producer's wakeup from a timeout and from a signal
/// (a child's SIGCHLD can land on the polling thread); RingBuffer.PollAndDrain cannot tell them apart.
/// A timed-out poll looks at the ring once more and reports what arrived unannounced as readable,
/// so only a return well before the timeout counts as a wakeup.
/// </summary>
internal static class RingPoll
{
    public enum Outcome { Woken, TimedOut, Interrupted }

    public static unsafe Outcome Wait(int fd, int timeoutMs)
    {
        var pfd = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
        var clock = Stopwatch.StartNew();
        var n = LibC.Poll(&pfd, 1, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == 4 ? Outcome.Interrupted : throw new InvalidOperationException($"poll failed: errno {errno}");
        }

        return n > 0 && clock.ElapsedMilliseconds < timeoutMs - 100 ? Outcome.Woken : Outcome.TimedOut;
    }
}
