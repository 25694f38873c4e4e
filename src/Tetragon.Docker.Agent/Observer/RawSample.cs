using System.Buffers;

namespace Tetragon.Docker.Agent.Observer;

/// <summary>A copy of one ring buffer sample in a pooled array; the consumer returns it.</summary>
internal readonly record struct RawSample(byte[] Buffer, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    public static RawSample Copy(ReadOnlySpan<byte> data)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        return new RawSample(buffer, data.Length);
    }

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
