using System.Buffers.Binary;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// A generic sensor's event (process_kprobe / _tracepoint / _uprobe) still in its ring-buffer
/// sample, with its process and hook looked up: what the JSON export encodes straight into its
/// line when no other subscriber needs the event as a message. The decoder has checked that
/// every argument lies inside the sample.
/// </summary>
internal readonly ref struct HookSample
{
    public required ReadOnlySpan<byte> Sample { get; init; }

    public required byte Op { get; init; }

    public required ActiveHook Hook { get; init; }

    public required Api.Process Process { get; init; }

    public required Api.Process? Parent { get; init; }

    public required KprobeAction Action { get; init; }

    /// <summary>Captured arguments, at most the hook's own count.</summary>
    public required int ArgCount { get; init; }

    public required bool HasReturn { get; init; }

    public required long Return { get; init; }

    /// <summary>The event's wall-clock time, in nanoseconds since the Unix epoch.</summary>
    public required long UnixNs { get; init; }

    public required string NodeName { get; init; }

    /// <summary>Argument <paramref name="i"/>'s bytes; <paramref name="offset"/> walks the arguments in order, from <see cref="FirstArgOffset"/>.</summary>
    public ReadOnlySpan<byte> Arg(int i, ref int offset)
    {
        var length = ArgLength(Sample, i);
        var data = Sample.Slice(offset, length);
        offset += length;
        return data;
    }

    public const int FirstArgOffset = L.MsgSize;

    /// <summary>msg_generic.arg_len[i]: the byte length of captured argument i.</summary>
    public static int ArgLength(ReadOnlySpan<byte> sample, int i) => BinaryPrimitives.ReadUInt16LittleEndian(sample[(60 + (2 * i))..]);
}
