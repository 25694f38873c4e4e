using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>
/// BPF ring buffer consumer. The sample handler runs on the polling thread and must copy
/// what it keeps: the span is only valid during the call.
/// Unlike libbpf's reader, the data pages are mapped once, not twice: the double mapping only
/// saves copying the few records that wrap around the end, and it doubled the ring's share of
/// the agent's RSS (16 MB for an 8 MiB ring). A wrapping record is copied into a scratch buffer.
/// Samples are read in managed code, so there is no native-to-managed transition per sample.
/// </summary>
public sealed unsafe class RingBuffer : IDisposable
{
    /// <summary>Receives each sample; the span is only valid during the call.</summary>
    public delegate void SampleHandler(ReadOnlySpan<byte> sample);

    // struct bpf_ringbuf_hdr: u32 len (with these two flags), u32 pg_off.
    private const uint BusyBit = 1u << 31;
    private const uint DiscardBit = 1u << 30;
    private const int HeaderSize = 8;
    private const int BpfMapTypeRingbuf = 27;

    private readonly SampleHandler handler;
    private readonly int fd;
    private readonly nuint pageSize;
    private readonly nuint dataSize;
    private nint consumerPage; // read-write: consumer_pos
    private nint producerPages; // read-only: producer_pos, then the data pages
    private byte[] wrapped = [];

    public RingBuffer(int mapFd, SampleHandler handler)
    {
        this.handler = handler;
        fd = mapFd;
        pageSize = (nuint)Environment.SystemPageSize;
        dataSize = RingSize(mapFd);
        consumerPage = LibC.Mmap(0, pageSize, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared, mapFd, 0);
        if (consumerPage == -1)
        {
            consumerPage = 0;
            throw new BpfException("cannot map the ring buffer's consumer page", Marshal.GetLastPInvokeError());
        }

        producerPages = LibC.Mmap(0, pageSize + dataSize, LibC.ProtRead, LibC.MapShared, mapFd, (long)pageSize);
        if (producerPages == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            producerPages = 0;
            Dispose();
            throw new BpfException("cannot map the ring buffer's data pages", errno);
        }
    }

    /// <summary>Samples that wrapped around the end of the ring and were copied whole before delivery.</summary>
    public long WrappedSamples { get; private set; }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a wakeup, then drains everything available.</summary>
    public int PollAndDrain(int timeoutMs)
    {
        // Producers skip wakeups (BPF_RB_NO_WAKEUP), so a timed-out poll can still leave data:
        // the drain runs either way. poll() returns at once while the ring holds data.
        if (timeoutMs != 0)
        {
            var pfd = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
            if (LibC.Poll(&pfd, 1, timeoutMs) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != 4)
                {
                    return -errno; // EINTR is a normal wakeup
                }
            }
        }

        return Drain();
    }

    private int Drain()
    {
        ref var consumerPos = ref *(ulong*)consumerPage;
        ref var producerPos = ref *(ulong*)producerPages;
        var data = (byte*)producerPages + pageSize;
        var mask = (ulong)dataSize - 1;
        var count = 0;
        var consumer = Volatile.Read(ref consumerPos);
        for (var producer = Volatile.Read(ref producerPos); consumer < producer; producer = Volatile.Read(ref producerPos))
        {
            while (consumer < producer)
            {
                // Headers are 8-byte aligned, so a header never wraps; the sample after it may.
                var len = Volatile.Read(ref *(uint*)(data + (consumer & mask)));
                if ((len & BusyBit) != 0)
                {
                    return count; // still being written: the next poll picks it up
                }

                var discarded = (len & DiscardBit) != 0;
                len &= ~DiscardBit;
                if (!discarded)
                {
                    Deliver(data, (consumer + HeaderSize) & mask, (int)len);
                    count++;
                }

                consumer += (HeaderSize + len + 7) & ~7UL;
                Volatile.Write(ref consumerPos, consumer); // the producer may reuse the space now
            }
        }

        return count;
    }

    private void Deliver(byte* data, ulong start, int len)
    {
        var sample = new ReadOnlySpan<byte>(data + start, (int)Math.Min((ulong)len, (ulong)dataSize - start));
        if (sample.Length < len)
        {
            if (wrapped.Length < len)
            {
                wrapped = new byte[Math.Max(len, 4096)];
            }

            sample.CopyTo(wrapped);
            new ReadOnlySpan<byte>(data, len - sample.Length).CopyTo(wrapped.AsSpan(sample.Length));
            sample = wrapped.AsSpan(0, len);
            WrappedSamples++;
        }

        try
        {
            handler(sample);
        }
        catch
        {
            // One bad sample must not stall the ring; the handler counts its own failures.
        }
    }

    /// <summary>The data area's size (a power of two), from the map's max_entries.</summary>
    private static nuint RingSize(int mapFd)
    {
        var info = stackalloc byte[80];
        new Span<byte>(info, 80).Clear();
        var infoLen = 80u;
        if (LibBpf.ObjGetInfoByFd(mapFd, info, &infoLen) < 0)
        {
            throw new BpfException($"cannot read the info of map fd {mapFd}", Marshal.GetLastPInvokeError());
        }

        var type = *(uint*)info;
        var maxEntries = *(uint*)(info + 16);
        if (type != BpfMapTypeRingbuf || maxEntries == 0 || (maxEntries & (maxEntries - 1)) != 0)
        {
            throw new BpfException($"map fd {mapFd} is not a ring buffer (type {type}, max_entries {maxEntries})", 22);
        }

        return maxEntries;
    }

    public void Dispose()
    {
        if (producerPages != 0)
        {
            LibC.Munmap(producerPages, pageSize + dataSize);
            producerPages = 0;
        }

        if (consumerPage != 0)
        {
            LibC.Munmap(consumerPage, pageSize);
            consumerPage = 0;
        }
    }
}
