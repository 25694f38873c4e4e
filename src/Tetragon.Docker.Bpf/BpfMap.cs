using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>A map of a loaded object (borrowed: the object owns it).</summary>
public sealed unsafe class BpfMap
{
    private readonly nint map;

    internal BpfMap(nint map, string name)
    {
        this.map = map;
        Name = name;
    }

    public string Name { get; }

    public int Fd => LibBpf.MapFd(map);

    public void Update<TKey, TValue>(TKey key, TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        if (LibBpf.MapUpdateElem(Fd, &key, &value, 0) < 0)
        {
            throw new BpfException($"map {Name}: update failed", Marshal.GetLastPInvokeError());
        }
    }

    public bool TryLookup<TKey, TValue>(TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        TValue result;
        var found = LibBpf.MapLookupElem(Fd, &key, &result) == 0;
        value = found ? result : default;
        return found;
    }

    /// <summary>Writes raw bytes: for keys and values whose C layout is built by hand.</summary>
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            if (LibBpf.MapUpdateElem(Fd, k, v, 0) < 0)
            {
                throw new BpfException($"map {Name}: update failed", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Reads raw bytes: for keys and values whose C layout is built by hand; false when the key is not there.</summary>
    public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            return LibBpf.MapLookupElem(Fd, k, v) == 0;
        }
    }

    /// <summary>Deletes a key; false when it was not there.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            return LibBpf.MapDeleteElem(Fd, k) == 0;
        }
    }

    public bool Delete<TKey>(TKey key)
        where TKey : unmanaged => LibBpf.MapDeleteElem(Fd, &key) == 0;

    /// <summary>
    /// The map's keys, a syscall each: for small maps. A snapshot that may miss concurrent changes;
    /// at most <paramref name="limit"/>, since a key deleted under the walk restarts it at the first.
    /// </summary>
    public List<TKey> Keys<TKey>(int limit)
        where TKey : unmanaged
    {
        var keys = new List<TKey>();
        TKey key;
        TKey next;
        var fd = Fd;
        for (var status = LibBpf.MapGetNextKey(fd, null, &next); status == 0 && keys.Count < limit; status = LibBpf.MapGetNextKey(fd, &key, &next))
        {
            keys.Add(next);
            key = next;
        }

        return keys;
    }

    /// <summary>Sums a per-CPU u64 counter at <paramref name="key"/>.</summary>
    public ulong SumPerCpu(uint key) => SumPerCpu(Fd, key);

    public static ulong SumPerCpu(int fd, uint key)
    {
        var cpus = LibBpf.NumPossibleCpus();
        var values = stackalloc ulong[Math.Max(cpus, 1)];
        if (LibBpf.MapLookupElem(fd, &key, values) < 0)
        {
            return 0;
        }

        ulong sum = 0;
        for (var i = 0; i < cpus; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
