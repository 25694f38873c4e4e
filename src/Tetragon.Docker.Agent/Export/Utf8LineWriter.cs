using System.Text;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// A TextWriter that encodes what it is given straight into one reused UTF-8 buffer: the
/// exporter's lines are built without a StringBuilder, in the buffer that goes to the file
/// (see <see cref="ExportChunk"/>). The encoder is stateful, so a surrogate pair split across
/// two writes stays whole.
/// </summary>
internal sealed class Utf8LineWriter(int capacity) : TextWriter
{
    private readonly Encoder encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private byte[] buffer = new byte[capacity];
    private int length;

    public Utf8LineWriter()
        : this(16 * 1024)
    {
    }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public int Length => length;

    public int Capacity => buffer.Length;

    public void Clear() => Truncate(0);

    /// <summary>Drops what was written after the first <paramref name="keep"/> bytes.</summary>
    public void Truncate(int keep)
    {
        encoder.Reset();
        length = keep;
    }

    public override void Write(char value)
    {
        if (value < 0x80 && length < buffer.Length)
        {
            buffer[length++] = (byte)value; // ASCII (a pending high surrogate cannot precede it in valid text)
            return;
        }

        Write([value]);
    }

    /// <summary>Appends text that is already UTF-8 (a cached process), with no transcoding.</summary>
    public void WriteUtf8(ReadOnlySpan<byte> utf8)
    {
        if (buffer.Length - length < utf8.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + utf8.Length));
        }

        utf8.CopyTo(buffer.AsSpan(length));
        length += utf8.Length;
    }

    /// <summary>Appends a number's decimal digits (invariant culture), with no string in between.</summary>
    public void WriteNumber<T>(T value)
        where T : IUtf8SpanFormattable
    {
        if (buffer.Length - length < 32)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + 32));
        }

        value.TryFormat(buffer.AsSpan(length), out var written, "d", System.Globalization.CultureInfo.InvariantCulture);
        length += written;
    }

    // TextWriter's own number writes go through a string and the culture (a thread-static read).
    public override void Write(int value) => WriteNumber(value);

    public override void Write(uint value) => WriteNumber(value);

    public override void Write(long value) => WriteNumber(value);

    public override void Write(ulong value) => WriteNumber(value);

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(chars.Length);
        if (buffer.Length - length < max)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + max));
        }

        // Field names, punctuation and most values are ASCII: a vectorized copy, no encoder call.
        // (As in Write(char): a pending high surrogate cannot precede ASCII in valid text.)
        if (Ascii.FromUtf16(chars, buffer.AsSpan(length), out var copied) == System.Buffers.OperationStatus.Done)
        {
            length += copied;
            return;
        }

        length += encoder.GetBytes(chars, buffer.AsSpan(length), flush: false);
    }
}
