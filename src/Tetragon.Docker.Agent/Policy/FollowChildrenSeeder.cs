using System.Buffers.Binary;
using System.Text;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Bpf;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// followChildren for processes already running when a filter arrives: the kernel sets a
/// filter's bit at exec and passes it on at fork, so it never sees what ran before. Here a
/// process gets the bit when it or a live ancestor (its ppid chain in /proc) runs one of the
/// filter's binaries. A filter's bit that is freed is cleared everywhere, ready for the next.
/// </summary>
internal static class FollowChildrenSeeder
{
    /// <summary>Updates exec_binary_map; returns how many processes now carry an added bit.</summary>
    public static int Apply(BpfMap execBinaries, string procRoot, IReadOnlyDictionary<string, ulong> masks, ulong added, ulong freed)
    {
        if (freed != 0)
        {
            foreach (var pid in execBinaries.Keys<uint>(1 << 20))
            {
                Change(execBinaries, pid, null, follow => follow & ~freed);
            }
        }

        if (added == 0)
        {
            return 0;
        }

        var table = ReadTable(procRoot);
        var seeded = 0;
        foreach (var (pid, (_, exe)) in table)
        {
            var bits = Lineage(pid, table, masks) & added;
            if (bits != 0 && Change(execBinaries, pid, exe, follow => follow | bits))
            {
                seeded++;
            }
        }

        return seeded;
    }

    /// <summary>The binaries' bits of a process and its live ancestors (a pid loop ends the walk).</summary>
    internal static ulong Lineage(uint pid, IReadOnlyDictionary<uint, (uint Ppid, string Exe)> table, IReadOnlyDictionary<string, ulong> masks)
    {
        ulong bits = 0;
        var seen = new HashSet<uint>();
        for (var current = pid; seen.Add(current) && table.TryGetValue(current, out var p); current = p.Ppid)
        {
            bits |= masks.GetValueOrDefault(p.Exe);
        }

        return bits;
    }

    /// <summary>The follow_binaries key: the path's first 255 bytes, NUL padded, as the kernel keeps it.</summary>
    public static byte[] Key(string path)
    {
        var key = new byte[L.BinaryMax];
        var bytes = Encoding.UTF8.GetBytes(path);
        bytes.AsSpan(0, Math.Min(bytes.Length, L.BinaryMax - 1)).CopyTo(key);
        return key;
    }

    private static bool Change(BpfMap map, uint pid, string? exe, Func<ulong, ulong> change)
    {
        var key = BitConverter.GetBytes(pid);
        var value = new byte[L.ExecBinarySize];
        if (!map.TryLookup(key, value))
        {
            if (exe is null)
            {
                return false;
            }

            ExecBinarySeeder.Value(exe).CopyTo(value, 0);
        }

        var follow = BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(L.ExecBinaryFollow));
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(L.ExecBinaryFollow), change(follow));
        map.Update(key, value);
        return true;
    }

    /// <summary>pid → (ppid, binary) of every process /proc shows, kernel threads left out.</summary>
    internal static Dictionary<uint, (uint Ppid, string Exe)> ReadTable(string procRoot)
    {
        var table = new Dictionary<uint, (uint, string)>();
        foreach (var (pid, dir) in ProcFsScanner.Processes(procRoot))
        {
            try
            {
                var exe = ExecBinarySeeder.Binary(dir);
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (exe is not null && fields.Length > 1 && uint.TryParse(fields[1], out var ppid))
                {
                    table[pid] = (ppid, exe);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return table;
    }
}
