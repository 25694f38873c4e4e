using System.Buffers.Binary;
using System.Globalization;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Bpf;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Fills exec_baseline_map for processes that started before matchCapabilityChanges or
/// matchNamespaceChanges came into use (exec and fork keep it for later ones): their effective
/// capabilities and namespaces now are their baseline.
/// </summary>
internal static class ExecBaselineSeeder
{
    public static int Seed(BpfMap map, string procRoot)
    {
        var seeded = 0;
        foreach (var (pid, dir) in ProcFsScanner.Processes(procRoot))
        {
            if (CapEffective(dir) is not { } caps)
            {
                continue; // gone meanwhile
            }

            map.Update(BitConverter.GetBytes(pid), Value(caps, HostNamespaces.ReadNamespaces(procRoot, pid)));
            seeded++;
        }

        return seeded;
    }

    /// <summary>struct exec_baseline: cap_effective, then ns[NS_COUNT] in NS_* order.</summary>
    public static byte[] Value(ulong capEffective, IReadOnlyList<uint> namespaces)
    {
        var value = new byte[L.ExecBaselineSize];
        BinaryPrimitives.WriteUInt64LittleEndian(value, capEffective);
        for (var i = 0; i < Math.Min(namespaces.Count, L.NsCount); i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(8 + (4 * i)), namespaces[i]);
        }

        return value;
    }

    /// <summary>The CapEff line of /proc/PID/status; null for a process gone meanwhile.</summary>
    private static ulong? CapEffective(string dir)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
                {
                    return caps;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
