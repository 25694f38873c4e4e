using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tetragon.Docker.Policy.Linux;
using Tetragon.Docker.Policy.Parsing;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>Turns one matchArgs value into a typed value for its argument type and operator.</summary>
internal static class ValueParser
{
    public static FilterValue? Parse(string text, ArgType type, string typeName, FilterOperator op, string path, ErrorSink errors)
    {
        var quoted = PolicyPath.Quote(text);
        if (type == ArgType.Auto)
        {
            return new RawValue(text);
        }

        if (Operators.IsPortOperator(op))
        {
            return ParsePortRange(text) ?? Fail($"{quoted} is not a port (0-65535) or port range (\"first:last\")");
        }

        if (Operators.IsAddressOperator(op))
        {
            return ParseCidr(text) ?? Fail($"{quoted} is not a valid IP address or CIDR");
        }

        switch (op)
        {
            case FilterOperator.Protocol:
                return Named(text, NetConstants.Protocols, "IPPROTO_", ushort.MaxValue) ?? Fail($"{quoted} is not a protocol number or IPPROTO_* name");
            case FilterOperator.Family:
                return Named(text, NetConstants.Families, "AF_", ushort.MaxValue) ?? Fail($"{quoted} is not an address family number or AF_* name");
            case FilterOperator.State:
                return Named(text, NetConstants.TcpStates, "TCP_", byte.MaxValue) ?? Fail($"{quoted} is not a TCP state number or TCP_* name");
            case FilterOperator.CapabilitiesGained:
                return CapabilityTable.TryParse(text, out var gained) ? new UnsignedValue(1UL << gained) : Fail($"{quoted} is not a capability (CAP_*)");
            default:
                break;
        }

        switch (ArgTypes.ClassOf(type))
        {
            case ArgClass.Text:
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    var limit = op switch
                    {
                        FilterOperator.Prefix or FilterOperator.NotPrefix => PolicyLimits.MaxPrefixBytes,
                        FilterOperator.Postfix or FilterOperator.NotPostfix => PolicyLimits.MaxPostfixBytes,
                        _ => PolicyLimits.MaxStringValueBytes,
                    };
                    return bytes.Length > limit
                        ? Fail($"value is {bytes.Length} bytes; {op} values are limited to {limit} bytes")
                        : new StringValue(text, bytes);
                }

            case ArgClass.CapabilityMask:
                if (CapabilityTable.TryParse(text, out var bit) && !text.Trim().All(char.IsAsciiDigit))
                {
                    return new UnsignedValue(1UL << bit);
                }

                return Numbers.TryParseUnsigned(text, out var mask) ? new UnsignedValue(mask) : Fail($"{quoted} is not a capability mask or CAP_* name");

            case ArgClass.Signed when op != FilterOperator.Mask:
                {
                    var (min, max) = ArgTypes.SignedRange(type);
                    if (!Numbers.TryParseSigned(text, out var value))
                    {
                        return Numbers.TryParseUnsigned(text, out _)
                            ? Fail($"{quoted} is out of range for {typeName} [{min}, {max}]")
                            : Fail($"{quoted} is not a valid {typeName} value");
                    }

                    return value < min || value > max ? Fail($"{quoted} is out of range for {typeName} [{min}, {max}]") : new SignedValue(value);
                }

            case ArgClass.Signed:
            case ArgClass.Unsigned:
                {
                    if (type == ArgType.Capability && op != FilterOperator.Mask && CapabilityTable.TryParse(text, out var capability))
                    {
                        return new UnsignedValue((ulong)capability);
                    }

                    if (type == ArgType.Syscall64 && !text.Trim().All(char.IsAsciiDigit) && SyscallTable.TryGetNumber(text.Trim(), out var syscall))
                    {
                        return new UnsignedValue((ulong)syscall);
                    }

                    if (type == ArgType.Syscall64 && text.Trim().StartsWith(SyscallTable.I386Prefix, StringComparison.Ordinal))
                    {
                        // A 32-bit task's syscall: its i386 number, marked as the kernel side marks it.
                        var name = text.Trim()[SyscallTable.I386Prefix.Length..];
                        return SyscallTable.TryGetI386Number(name, out var compat)
                            ? new UnsignedValue(SyscallTable.CompatBit | (uint)compat)
                            : Fail($"{quoted} is not an i386 syscall");
                    }

                    var max = op == FilterOperator.Mask ? ArgTypes.MaskMax(type) : ArgTypes.UnsignedMax(type);
                    if (!Numbers.TryParseUnsigned(text, out var value))
                    {
                        return Numbers.TryParseSigned(text, out _)
                            ? Fail($"{quoted} is out of range for {typeName} [0, {max}]")
                            : Fail($"{quoted} is not a valid {typeName} value");
                    }

                    return value > max ? Fail($"{quoted} is out of range for {typeName} [0, {max}]") : new UnsignedValue(value);
                }

            default:
                return Fail($"arg type {typeName} cannot be filtered");
        }

        FilterValue? Fail(string message)
        {
            errors.Add(path, message);
            return null;
        }
    }

    private static UnsignedValue? Named(string text, IReadOnlyDictionary<string, ulong> names, string prefix, ulong max)
    {
        var s = text.Trim();
        if (Numbers.TryParseUnsigned(s, out var number))
        {
            return number <= max ? new UnsignedValue(number) : null;
        }

        var upper = s.ToUpperInvariant();
        if (!upper.StartsWith(prefix, StringComparison.Ordinal))
        {
            upper = prefix + upper;
        }

        return names.TryGetValue(upper, out var value) ? new UnsignedValue(value) : null;
    }

    internal static PortRangeValue? ParsePortRange(string text)
    {
        var s = text.Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var first = colon < 0 ? s : s[..colon];
        var last = colon < 0 ? s : s[(colon + 1)..];
        if (!ushort.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var lo)
            || !ushort.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var hi)
            || lo > hi)
        {
            return null;
        }

        return new PortRangeValue(lo, hi);
    }

    internal static CidrValue? ParseCidr(string text)
    {
        var s = text.Trim();
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? s : s[..slash];
        if (addressText.Length is 0 or > 45)
        {
            return null;
        }

        var isV6 = addressText.Contains(':', StringComparison.Ordinal);
        if (!isV6 && (addressText.Split('.') is not { Length: 4 } parts || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit))))
        {
            return null;
        }

        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            return null;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix || s.Length - slash - 1 > 3))
        {
            return null;
        }

        return new CidrValue(Mask(address, prefix), prefix);
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
