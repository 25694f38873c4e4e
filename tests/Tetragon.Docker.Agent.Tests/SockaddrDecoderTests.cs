using System.Buffers.Binary;
using System.Net;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Tests;

public sealed class SockaddrDecoderTests
{
    /// <summary>struct gen_sockaddr as the kernel writes it: family, port in host order, address.</summary>
    private static byte[] Captured(ushort family, ushort port, string? address = null)
    {
        var data = new byte[L.SockaddrSize];
        BinaryPrimitives.WriteUInt16LittleEndian(data, family);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), port);
        IPAddress.Parse(address ?? "0.0.0.0").GetAddressBytes().CopyTo(data, 4);
        return data;
    }

    [Theory]
    [InlineData("127.0.0.1", 8080)]
    [InlineData("0.0.0.0", 0)]
    [InlineData("255.255.255.255", 65535)]
    [InlineData("10.20.3.4", 443)]
    public void Ipv4IsDottedWithTheHostOrderPort(string address, int port)
    {
        var s = SockaddrDecoder.Decode(Captured(L.AfInet, (ushort)port, address));

        Assert.Equal(new KprobeSockaddr { Family = "AF_INET", Addr = address, Port = (uint)port }, s);
    }

    [Theory]
    [InlineData("::1", "::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]
    [InlineData("fe80::a:0:0:1", "fe80::a:0:0:1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("::", "::")]
    public void Ipv6IsRfc5952Text(string address, string text)
    {
        var s = SockaddrDecoder.Decode(Captured(L.AfInet6, 443, address));

        Assert.Equal(new KprobeSockaddr { Family = "AF_INET6", Addr = text, Port = 443 }, s);
    }

    [Theory]
    [InlineData(1, "AF_UNIX")]
    [InlineData(0, "AF_UNSPEC")]
    [InlineData(16, "AF_NETLINK")]
    [InlineData(45, "AF_MCTP")]
    [InlineData(46, "46")]
    [InlineData(65535, "65535")]
    public void OtherFamiliesCarryTheirNameOnly(int family, string name)
    {
        var s = SockaddrDecoder.Decode(Captured((ushort)family, 1234, "1.2.3.4"));

        Assert.Equal(new KprobeSockaddr { Family = name }, s);
    }

    [Fact]
    public void AnUnreadableSockaddrIsEmpty()
    {
        Assert.Equal(new KprobeSockaddr(), SockaddrDecoder.Decode([]));
        Assert.Equal(new KprobeSockaddr(), SockaddrDecoder.Decode(new byte[L.SockaddrSize - 1]));
    }

    /// <summary>struct gen_sock as the kernel writes it (bpf/generic/generic.h).</summary>
    private static byte[] CapturedSock(ushort family, ushort type, ushort protocol, ushort sport, ushort dport, byte state, string saddr, string daddr)
    {
        var data = new byte[L.SockSize];
        BinaryPrimitives.WriteUInt16LittleEndian(data, family);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), type);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), protocol);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), sport);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), dport);
        data[10] = state;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), 7);  // mark
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), 6);  // priority
        IPAddress.Parse(saddr).GetAddressBytes().CopyTo(data, 20);
        IPAddress.Parse(daddr).GetAddressBytes().CopyTo(data, 36);
        return data;
    }

    [Fact]
    public void ASockCarriesTetragonsNamesForFamilyTypeProtocolAndState()
    {
        var v4 = SockaddrDecoder.DecodeSock(CapturedSock(L.AfInet, 1, 6, 40000, 8089, 2, "127.0.0.2", "127.0.0.1"));
        Assert.Equal(new KprobeSock
        {
            Family = "AF_INET", Type = "SOCK_STREAM", Protocol = "IPPROTO_TCP", State = "TCP_SYN_SENT",
            Saddr = "127.0.0.2", Daddr = "127.0.0.1", Sport = 40000, Dport = 8089, Mark = 7, Priority = 6,
        }, v4);

        var v6 = SockaddrDecoder.DecodeSock(CapturedSock(L.AfInet6, 2, 17, 53, 5353, 7, "::1", "fe80::1"));
        Assert.Equal(("AF_INET6", "SOCK_DGRAM", "IPPROTO_UDP", "TCP_CLOSE", "::1", "fe80::1"), (v6.Family, v6.Type, v6.Protocol, v6.State, v6.Saddr, v6.Daddr));

        var odd = SockaddrDecoder.DecodeSock(CapturedSock(L.AfInet, 9, 200, 1, 2, 99, "0.0.0.0", "0.0.0.0"));
        Assert.Equal(("9", "200", "99"), (odd.Type, odd.Protocol, odd.State)); // unnamed: the number
        Assert.Equal(new KprobeSock(), SockaddrDecoder.DecodeSock(new byte[L.SockSize - 1]));
    }

    [Fact]
    public void AnSkbCarriesItsHeadersLengthAndHash()
    {
        var data = new byte[L.SkbSize];
        CapturedSock(L.AfInet, 0, 6, 40000, 8089, 0, "127.0.0.1", "127.0.0.1").CopyTo(data, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(L.SockSize), 60);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(L.SockSize + 4), 0xdeadbeef);

        Assert.Equal(new KprobeSkb
        {
            Family = "AF_INET", Proto = 6, Protocol = "IPPROTO_TCP", Saddr = "127.0.0.1", Daddr = "127.0.0.1",
            Sport = 40000, Dport = 8089, Mark = 7, Priority = 6, Len = 60, Hash = 0xdeadbeef,
        }, SockaddrDecoder.DecodeSkb(data));
        Assert.Equal(new KprobeSkb(), SockaddrDecoder.DecodeSkb(new byte[L.SkbSize - 1]));
    }
}
