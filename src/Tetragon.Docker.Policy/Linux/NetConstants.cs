using System.Collections.Frozen;

namespace Tetragon.Docker.Policy.Linux;

/// <summary>Names accepted by the Protocol, Family and State operators.</summary>
internal static class NetConstants
{
    public static readonly FrozenDictionary<string, ulong> Protocols = new Dictionary<string, ulong>(StringComparer.Ordinal)
    {
        ["IPPROTO_IP"] = 0, ["IPPROTO_ICMP"] = 1, ["IPPROTO_IGMP"] = 2, ["IPPROTO_TCP"] = 6, ["IPPROTO_UDP"] = 17,
        ["IPPROTO_IPV6"] = 41, ["IPPROTO_GRE"] = 47, ["IPPROTO_ESP"] = 50, ["IPPROTO_AH"] = 51, ["IPPROTO_ICMPV6"] = 58,
        ["IPPROTO_SCTP"] = 132, ["IPPROTO_UDPLITE"] = 136, ["IPPROTO_RAW"] = 255, ["IPPROTO_MPTCP"] = 262,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, ulong> Families = new Dictionary<string, ulong>(StringComparer.Ordinal)
    {
        ["AF_UNSPEC"] = 0, ["AF_UNIX"] = 1, ["AF_LOCAL"] = 1, ["AF_INET"] = 2, ["AF_INET6"] = 10, ["AF_NETLINK"] = 16,
        ["AF_PACKET"] = 17, ["AF_VSOCK"] = 40, ["AF_XDP"] = 44,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, ulong> TcpStates = new Dictionary<string, ulong>(StringComparer.Ordinal)
    {
        ["TCP_ESTABLISHED"] = 1, ["TCP_SYN_SENT"] = 2, ["TCP_SYN_RECV"] = 3, ["TCP_FIN_WAIT1"] = 4, ["TCP_FIN_WAIT2"] = 5,
        ["TCP_TIME_WAIT"] = 6, ["TCP_CLOSE"] = 7, ["TCP_CLOSE_WAIT"] = 8, ["TCP_LAST_ACK"] = 9, ["TCP_LISTEN"] = 10,
        ["TCP_CLOSING"] = 11, ["TCP_NEW_SYN_RECV"] = 12,
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
