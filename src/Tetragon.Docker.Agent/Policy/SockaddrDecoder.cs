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
