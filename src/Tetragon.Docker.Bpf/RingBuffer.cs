using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>
/// libbpf ring buffer consumer. The sample callback runs on the polling thread and
/// must copy what it keeps: the span is only valid during the call.
/// </summary>
public sealed unsafe class RingBuffer : IDisposable
{
    /// <summary>Receives each sample; the span is only valid during the call.</summary>
    public delegate void SampleHandler(ReadOnlySpan<byte> sample);

    private readonly SampleHandler handler;
    private GCHandle self;
    private nint rb;

    public RingBuffer(int mapFd, SampleHandler handler)
    {
        this.handler = handler;
        self = GCHandle.Alloc(this);
        rb = LibBpf.RingBufferNew(mapFd, &OnSample, GCHandle.ToIntPtr(self), 0);
        if (rb == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            self.Free();
            throw new BpfException("cannot create ring buffer reader", errno);
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a wakeup, then drains everything available.</summary>
    public int PollAndDrain(int timeoutMs)
    {
        var n = LibBpf.RingBufferPoll(rb, timeoutMs);
        if (n < 0 && n != -4)
        {
            return n; // -EINTR is a normal wakeup
        }

        // Producers skip wakeups (BPF_RB_NO_WAKEUP), so a timed-out poll can still leave data.
        var m = LibBpf.RingBufferConsume(rb);
        return m < 0 ? m : Math.Max(n, 0) + m;
    }

    public void Dispose()
    {
        if (rb != 0)
        {
            LibBpf.RingBufferFree(rb);
            rb = 0;
        }

        if (self.IsAllocated)
        {
            self.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static int OnSample(nint ctx, void* data, nuint size)
    {
        try
        {
            var reader = (RingBuffer)GCHandle.FromIntPtr(ctx).Target!;
            reader.handler(new ReadOnlySpan<byte>(data, checked((int)size)));
        }
        catch
        {
            // Never unwind into libbpf; the handler counts its own failures.
        }

        return 0;
    }
}
