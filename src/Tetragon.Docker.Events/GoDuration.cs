using System.Globalization;

namespace Tetragon.Docker.Events;

/// <summary>Go's duration syntax (time.ParseDuration), as Tetragon's and tetra's flags take it: "10s", "1m30s", "1.5h", "500ms".</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", TimeSpan.TicksPerMillisecond / 1e6),
        ("us", TimeSpan.TicksPerMillisecond / 1e3),
        ("µs", TimeSpan.TicksPerMillisecond / 1e3),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return false;
        }

        if (rest is "0")
        {
            return true;
        }

        double ticks = 0;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            rest = rest[digits..];
            var unit = UnitAt(rest);
            if (unit < 0)
            {
                return false; // Go requires a unit after every number
            }

            ticks += number * Units[unit].Ticks;
            rest = rest[Units[unit].Unit.Length..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>The unit <paramref name="text"/> starts with ("m" is minutes only when "ms" is not milliseconds).</summary>
    private static int UnitAt(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < Units.Length; i++)
        {
            if (text.StartsWith(Units[i].Unit, StringComparison.Ordinal) && !(Units[i].Unit == "m" && text.StartsWith("ms", StringComparison.Ordinal)))
            {
                return i;
            }
        }

        return -1;
    }
}
