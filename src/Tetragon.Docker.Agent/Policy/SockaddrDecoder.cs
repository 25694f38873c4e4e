using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Decodes a captured sockaddr argument (struct gen_sockaddr: family, port in host order,
/// address) into Tetragon's KprobeSockaddr: the family by its AF_* name (its number when
/// unnamed, as Tetragon writes it), the address as dotted quad or RFC 5952 text, the port.
/// </summary>
internal static class SockaddrDecoder
{
    // linux/socket.h, as Tetragon's network.InetFamily names them.
    private static readonly string[] Families =
    [
        "AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE", "AF_ATMPVC",
        "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY", "AF_NETLINK", "AF_PACKET",
        "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA", "AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB",
        "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154",
        "AF_CAIF", "AF_ALG", "AF_NFC", "AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP",
    ];

    /// <summary>The sockaddr in <paramref name="data"/>; an empty message when the kernel could not read it.</summary>
    public static KprobeSockaddr Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.SockaddrSize)
        {
            return new KprobeSockaddr();
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(data);
        var sockaddr = new KprobeSockaddr { Family = FamilyName(family) };
        switch (family)
        {
            case L.AfInet:
                sockaddr.Addr = IPv4(data.Slice(4, 4));
                sockaddr.Port = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
                break;
            case L.AfInet6:
                sockaddr.Addr = new IPAddress(data.Slice(4, 16)).ToString();
                sockaddr.Port = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
                break;
            default:
                break;
        }

        return sockaddr;
    }

    // linux/net.h socket types; in.h protocols; net/tcp_states.h, as Tetragon names them.
    private static readonly string[] Types = ["", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET", "SOCK_DCCP", "", "", "", "SOCK_PACKET"];

    private static readonly Dictionary<ushort, string> Protocols = new()
    {
        [0] = "IPPROTO_IP", [1] = "IPPROTO_ICMP", [2] = "IPPROTO_IGMP", [6] = "IPPROTO_TCP", [17] = "IPPROTO_UDP",
        [41] = "IPPROTO_IPV6", [47] = "IPPROTO_GRE", [50] = "IPPROTO_ESP", [51] = "IPPROTO_AH", [58] = "IPPROTO_ICMPV6",
        [132] = "IPPROTO_SCTP", [136] = "IPPROTO_UDPLITE", [255] = "IPPROTO_RAW", [262] = "IPPROTO_MPTCP",
    };

    private static readonly string[] TcpStates =
    [
        "", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT",
        "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING", "TCP_NEW_SYN_RECV",
    ];

    /// <summary>A captured sock argument (struct gen_sock) as Tetragon's KprobeSock; empty when unreadable.</summary>
    public static KprobeSock DecodeSock(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.SockSize)
        {
            return new KprobeSock();
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(data);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        var protocol = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        var state = data[10];
        var sock = new KprobeSock
        {
            Family = FamilyName(family),
            Type = Named(Types, type),
            Protocol = Protocols.GetValueOrDefault(protocol) ?? protocol.ToString(CultureInfo.InvariantCulture),
            Sport = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]),
            Dport = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]),
            State = Named(TcpStates, state),
            Mark = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]),
            Priority = BinaryPrimitives.ReadUInt32LittleEndian(data[16..]),
        };
        if (family == L.AfInet)
        {
            sock.Saddr = IPv4(data.Slice(20, 4));
            sock.Daddr = IPv4(data.Slice(36, 4));
        }
        else if (family == L.AfInet6)
        {
            sock.Saddr = new IPAddress(data.Slice(20, 16)).ToString();
            sock.Daddr = new IPAddress(data.Slice(36, 16)).ToString();
        }

        return sock;
    }

    /// <summary>An skb argument (struct gen_skb): its IP header's addresses and protocol, TCP or UDP ports, length, hash.</summary>
    public static KprobeSkb DecodeSkb(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.SkbSize)
        {
            return new KprobeSkb();
        }

        var sock = DecodeSock(data[..L.SockSize]);
        var proto = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        return new KprobeSkb
        {
            Family = sock.Family,
            Proto = proto,
            Protocol = sock.Protocol,
            Saddr = sock.Saddr,
            Daddr = sock.Daddr,
            Sport = sock.Sport,
            Dport = sock.Dport,
            Mark = sock.Mark,
            Priority = sock.Priority,
            Len = BinaryPrimitives.ReadUInt32LittleEndian(data[L.SockSize..]),
            Hash = BinaryPrimitives.ReadUInt32LittleEndian(data[(L.SockSize + 4)..]),
        };
    }

    private static string Named(string[] names, int value) =>
        value < names.Length && names[value].Length > 0 ? names[value] : value.ToString(CultureInfo.InvariantCulture);

    public static string FamilyName(ushort family) =>
        family < Families.Length ? Families[family] : family.ToString(CultureInfo.InvariantCulture);

    private static string IPv4(ReadOnlySpan<byte> a)
    {
        Span<char> text = stackalloc char[15];
        var n = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                text[n++] = '.';
            }

            a[i].TryFormat(text[n..], out var written, default, CultureInfo.InvariantCulture);
            n += written;
        }

        return new string(text[..n]);
    }
}
