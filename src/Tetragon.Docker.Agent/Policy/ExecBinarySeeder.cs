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
                target = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (string.IsNullOrEmpty(target))
            {
                continue; // kernel threads
            }

            if (target.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                target = target[..^" (deleted)".Length];
            }

            map.Update(BitConverter.GetBytes(pid), Value(target));
            seeded++;
        }

        return seeded;
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
