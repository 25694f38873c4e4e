using System.Collections.Frozen;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>Operator names (as Tetragon spells them) and which argument classes each applies to.</summary>
internal static class Operators
{
    private static readonly FrozenDictionary<string, FilterOperator> ArgOperators = new Dictionary<string, FilterOperator>(StringComparer.Ordinal)
    {
        ["Equal"] = FilterOperator.Equal, ["NotEqual"] = FilterOperator.NotEqual,
        ["Prefix"] = FilterOperator.Prefix, ["NotPrefix"] = FilterOperator.NotPrefix,
        ["Postfix"] = FilterOperator.Postfix, ["NotPostfix"] = FilterOperator.NotPostfix,
        ["Mask"] = FilterOperator.Mask,
        ["GreaterThan"] = FilterOperator.GreaterThan, ["GT"] = FilterOperator.GreaterThan,
        ["LessThan"] = FilterOperator.LessThan, ["LT"] = FilterOperator.LessThan,
        ["SPort"] = FilterOperator.SPort, ["NotSPort"] = FilterOperator.NotSPort,
        ["SPortPriv"] = FilterOperator.SPortPriv, ["NotSPortPriv"] = FilterOperator.NotSPortPriv, ["NotSportPriv"] = FilterOperator.NotSPortPriv,
        ["DPort"] = FilterOperator.DPort, ["NotDPort"] = FilterOperator.NotDPort,
        ["DPortPriv"] = FilterOperator.DPortPriv, ["NotDPortPriv"] = FilterOperator.NotDPortPriv,
        ["SAddr"] = FilterOperator.SAddr, ["NotSAddr"] = FilterOperator.NotSAddr,
        ["DAddr"] = FilterOperator.DAddr, ["NotDAddr"] = FilterOperator.NotDAddr,
        ["Protocol"] = FilterOperator.Protocol, ["Family"] = FilterOperator.Family, ["State"] = FilterOperator.State,
        ["InMap"] = FilterOperator.InMap, ["NotInMap"] = FilterOperator.NotInMap,
        ["CapabilitiesGained"] = FilterOperator.CapabilitiesGained,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, BinaryOperator> BinaryOperators = new Dictionary<string, BinaryOperator>(StringComparer.Ordinal)
    {
        ["In"] = BinaryOperator.In, ["NotIn"] = BinaryOperator.NotIn, ["Prefix"] = BinaryOperator.Prefix,
        ["NotPrefix"] = BinaryOperator.NotPrefix, ["Postfix"] = BinaryOperator.Postfix, ["NotPostfix"] = BinaryOperator.NotPostfix,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> ArgOperatorNames => ArgOperators.Keys;

    public static IEnumerable<string> BinaryOperatorNames => BinaryOperators.Keys;

    public static IEnumerable<string> SetOperatorNames => ["In", "NotIn"];

    public static bool TryParseArg(string name, out FilterOperator op) => ArgOperators.TryGetValue(name, out op);

    public static bool TryParseBinary(string name, out BinaryOperator op) => BinaryOperators.TryGetValue(name, out op);

    public static bool TryParseSet(string name, out SetOperator op)
    {
        switch (name)
        {
            case "In":
                op = SetOperator.In;
                return true;
            case "NotIn":
                op = SetOperator.NotIn;
                return true;
            default:
                op = default;
                return false;
        }
    }

    public static bool IsPortOperator(FilterOperator op) => op is FilterOperator.SPort or FilterOperator.NotSPort or FilterOperator.DPort or FilterOperator.NotDPort;

    public static bool IsPrivilegedPortOperator(FilterOperator op) => op is FilterOperator.SPortPriv or FilterOperator.NotSPortPriv or FilterOperator.DPortPriv or FilterOperator.NotDPortPriv;

    public static bool IsAddressOperator(FilterOperator op) => op is FilterOperator.SAddr or FilterOperator.NotSAddr or FilterOperator.DAddr or FilterOperator.NotDAddr;

    public static bool IsMapOperator(FilterOperator op) => op is FilterOperator.InMap or FilterOperator.NotInMap;

    /// <summary>Whether <paramref name="op"/> can filter an argument of <paramref name="type"/>.</summary>
    public static bool Applies(FilterOperator op, ArgType type)
    {
        var argClass = ArgTypes.ClassOf(type);
        return argClass switch
        {
            ArgClass.Auto => true,
            ArgClass.Signed or ArgClass.Unsigned => op is FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.GreaterThan
                or FilterOperator.LessThan or FilterOperator.Mask or FilterOperator.InMap or FilterOperator.NotInMap,
            ArgClass.Text => op is FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.Prefix or FilterOperator.NotPrefix
                or FilterOperator.Postfix or FilterOperator.NotPostfix,
            ArgClass.CapabilityMask => op is FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.Mask or FilterOperator.CapabilitiesGained,
            ArgClass.Socket when type == ArgType.Sockaddr => op is FilterOperator.Family or FilterOperator.SAddr or FilterOperator.NotSAddr
                || (IsPortOperator(op) && op is FilterOperator.SPort or FilterOperator.NotSPort) || op is FilterOperator.SPortPriv or FilterOperator.NotSPortPriv,
            ArgClass.Socket when type == ArgType.Skb => IsPortOperator(op) || IsPrivilegedPortOperator(op) || IsAddressOperator(op) || op is FilterOperator.Protocol or FilterOperator.Family,
            ArgClass.Socket => IsPortOperator(op) || IsPrivilegedPortOperator(op) || IsAddressOperator(op) || op is FilterOperator.Protocol or FilterOperator.Family or FilterOperator.State,
            _ => false,
        };
    }

    /// <summary>The operators that do apply to a type, for messages.</summary>
    public static string ListFor(ArgType type)
    {
        var names = ArgOperators.Where(p => p.Key is not "GT" and not "LT" and not "NotSportPriv" && Applies(p.Value, type)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
