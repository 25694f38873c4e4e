using System.Text;

namespace Tetragon.Docker.Bpf;

/// <summary>A kernel name in a fixed-size field (comm, map and program names, cgroup names): up to its first NUL, or the whole field.</summary>
public static class KernelString
{
    public static string Decode(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
