using System.Buffers.Binary;
using System.Text;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Bpf;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Fills exec_binary_map for processes that started before the agent (the exec program
/// fills it for later ones), so matchBinaries knows them too.
/// </summary>
internal static class ExecBinarySeeder
{
    public static int Seed(BpfMap map, string procRoot)
    {
        var seeded = 0;
        foreach (var (pid, dir) in ProcFsScanner.Processes(procRoot))
        {
            string? target;
            try
            {
                target = Binary(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (target is null)
            {
                continue; // kernel threads
            }

            map.Update(BitConverter.GetBytes(pid), Value(target));
            seeded++;
        }

        return seeded;
    }

    /// <summary>The binary a /proc/&lt;pid&gt; directory runs, as exec recorded it; null for a kernel thread.</summary>
    public static string? Binary(string dir)
    {
        var target = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
        if (string.IsNullOrEmpty(target))
        {
            return null;
        }

        return target.EndsWith(" (deleted)", StringComparison.Ordinal) ? target[..^" (deleted)".Length] : target;
    }

    public static byte[] Value(string path)
    {
        var value = new byte[L.ExecBinarySize];
        var bytes = Encoding.UTF8.GetBytes(path);
        var len = Math.Min(bytes.Length, L.BinaryMax - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)len);
        bytes.AsSpan(0, len).CopyTo(value.AsSpan(8));
        return value;
    }
}
