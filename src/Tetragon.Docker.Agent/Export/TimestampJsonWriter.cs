using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Writes a Timestamp exactly as JsonFormatter does (<c>"2026-11-26T15:56:02.059483900Z"</c>:
/// 0, 3, 6 or 9 fraction digits), keeping the text of the last second: events come in time order.
/// </summary>
internal sealed class TimestampJsonWriter(JsonFormatter formatter)
{
    private const long MinSeconds = -62135596800L; // 0001-01-01T00:00:00Z
    private const long MaxSeconds = 253402300799L; // 9999-12-31T23:59:59Z

    private readonly byte[] fraction = new byte[10];
    private long lastSeconds = long.MinValue;
    private string lastText = "";
    private byte[] lastUtf8 = [];

    public void Write(TextWriter w, Timestamp t)
    {
        if (t.Seconds is < MinSeconds or > MaxSeconds || t.Nanos is < 0 or > 999_999_999)
        {
            w.Write(formatter.Format(t)); // not normalized: JsonFormatter decides (and throws)
            return;
        }

        Write(w, t.Seconds, t.Nanos);
    }

    /// <summary>
    /// Nanoseconds since the Unix epoch, cut to .NET ticks first as <c>Timestamp.FromDateTimeOffset</c>
    /// of <c>BootClock.ToWallClock</c> does, so both paths print the same time.
    /// </summary>
    public void WriteUnixNs(TextWriter w, long unixNs)
    {
        var ticks = unixNs / 100;
        Write(w, ticks / TimeSpan.TicksPerSecond, (int)(ticks % TimeSpan.TicksPerSecond) * 100);
    }

    private void Write(TextWriter w, long seconds, int nanos)
    {
        if (seconds != lastSeconds)
        {
            lastText = "\"" + DateTime.UnixEpoch.AddSeconds(seconds).ToString("yyyy'-'MM'-'dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            lastUtf8 = Encoding.ASCII.GetBytes(lastText);
            lastSeconds = seconds;
        }

        var digits = Fraction(nanos);
        if (w is Utf8LineWriter utf8)
        {
            // The export's writer: bytes as they are, no transcoding per event.
            utf8.WriteUtf8(lastUtf8);
            utf8.WriteUtf8(digits);
            utf8.WriteUtf8("Z\""u8);
            return;
        }

        w.Write(lastText);
        foreach (var d in digits)
        {
            w.Write((char)d);
        }

        w.Write("Z\"");
    }

    /// <summary>".059483900", ".059483" or ".059" (the fewest of 9, 6 or 3 digits that are exact); empty for 0.</summary>
    private ReadOnlySpan<byte> Fraction(int nanos)
    {
        if (nanos == 0)
        {
            return [];
        }

        var (width, value) = nanos % 1_000_000 == 0 ? (3, nanos / 1_000_000)
            : nanos % 1_000 == 0 ? (6, nanos / 1_000)
            : (9, nanos);
        fraction[0] = (byte)'.';
        for (var i = width; i >= 1; i--)
        {
            fraction[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return fraction.AsSpan(0, width + 1);
    }
}
