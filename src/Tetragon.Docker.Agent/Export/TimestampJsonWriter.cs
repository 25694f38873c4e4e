using System.Globalization;
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

    private readonly char[] digits = new char[10];
    private long lastSeconds = long.MinValue;
    private string lastText = "";

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
            lastSeconds = seconds;
        }

        w.Write(lastText);
        if (nanos != 0)
        {
            int width;
            int value;
            if (nanos % 1_000_000 == 0)
            {
                (width, value) = (3, nanos / 1_000_000);
            }
            else if (nanos % 1_000 == 0)
            {
                (width, value) = (6, nanos / 1_000);
            }
            else
            {
                (width, value) = (9, nanos);
            }

            digits[0] = '.';
            for (var i = width; i >= 1; i--)
            {
                digits[i] = (char)('0' + (value % 10));
                value /= 10;
            }

            w.Write(digits, 0, width + 1);
        }

        w.Write("Z\"");
    }
}
