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
}
