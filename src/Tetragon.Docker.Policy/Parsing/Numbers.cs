using System.Globalization;

namespace Tetragon.Docker.Policy.Parsing;

/// <summary>Integer parsing shared by the reader and the compiler: decimal, 0x hex, 0o/0 octal, optional sign.</summary>
internal static class Numbers
{
    public static bool TryParseSigned(string text, out long value)
    {
        value = 0;
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (!TryParseMagnitude(s, out var magnitude))
        {
            return false;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    public static bool TryParseUnsigned(string text, out ulong value)
    {
        var s = text.Trim();
        if (s.StartsWith('+'))
        {
            s = s[1..];
        }

        return TryParseMagnitude(s, out value);
    }

    private static bool TryParseMagnitude(string s, out ulong value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 66 || s.Contains('_'))
        {
            return false;
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return s.Length > 2 && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseOctal(s.AsSpan(2), out value);
        }

        if (s.Length > 1 && s[0] == '0')
        {
            return TryParseOctal(s.AsSpan(1), out value);
        }

        return s.All(char.IsAsciiDigit) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseOctal(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '7' || value > (ulong.MaxValue >> 3))
            {
                return false;
            }

            value = (value << 3) + (uint)(c - '0');
        }

        return true;
    }
}
