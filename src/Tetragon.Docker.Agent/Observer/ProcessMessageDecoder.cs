using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>Span-based decoding of process lifecycle samples; throws <see cref="InvalidDataException"/> on malformed input.</summary>
internal static class ProcessMessageDecoder
{
    public static MsgCommon ReadCommon(ReadOnlySpan<byte> sample) => Read<MsgCommon>(sample);

    public static MsgExit DecodeExit(ReadOnlySpan<byte> sample) => Read<MsgExit>(sample);

    public static MsgClone DecodeClone(ReadOnlySpan<byte> sample) => Read<MsgClone>(sample);

    public static ExecMessage DecodeExec(ReadOnlySpan<byte> sample)
    {
        var header = Read<MsgExec>(sample);
        var data = sample[Unsafe.SizeOf<MsgExec>()..];
        var total = header.ArgsLen + header.CwdLen + header.BinaryLen + header.EnvLen;
        if (total > data.Length)
        {
            throw new InvalidDataException($"exec event: data lengths {total} exceed sample ({data.Length} bytes)");
        }

        var args = data[..header.ArgsLen];
        var cwd = data.Slice(header.ArgsLen, header.CwdLen);
        var binary = data.Slice(header.ArgsLen + header.CwdLen, header.BinaryLen);
        var env = data.Slice(header.ArgsLen + header.CwdLen + header.BinaryLen, header.EnvLen);
        return new ExecMessage(header, ProcessArguments.Split(args), JoinComponents(cwd), JoinComponents(binary))
        {
            Environment = env.IsEmpty ? [] : ProcessArguments.Split(env),
            CgroupPath = $"/{KernelString.Decode(header.CgroupParent)}/{KernelString.Decode(header.CgroupName)}",
        };
    }

    /// <summary>BPF writes path components leaf first, each NUL ended: reverse them into "/a/b/c".</summary>
    public static string JoinComponents(ReadOnlySpan<byte> components)
    {
        // The joined path is no longer than the components (a NUL each becomes a slash).
        Span<byte> path = components.Length <= 1024 ? stackalloc byte[components.Length + 1] : new byte[components.Length + 1];
        var start = path.Length; // the path is built from its end, leaf first
        while (!components.IsEmpty)
        {
            var end = components.IndexOf((byte)0);
            var part = end < 0 ? components : components[..end];
            if (!part.IsEmpty)
            {
                start -= part.Length;
                part.CopyTo(path[start..]);
                path[--start] = (byte)'/';
            }

            components = end < 0 ? [] : components[(end + 1)..];
        }

        return start == path.Length ? "/" : Encoding.UTF8.GetString(path[start..]);
    }

    private static T Read<T>(ReadOnlySpan<byte> sample)
        where T : struct
    {
        var size = Unsafe.SizeOf<T>(); // what MemoryMarshal.Read reads (Marshal.SizeOf is a runtime call per sample)
        if (sample.Length < size)
        {
            throw new InvalidDataException($"{typeof(T).Name}: sample of {sample.Length} bytes, need {size}");
        }

        return MemoryMarshal.Read<T>(sample);
    }
}
