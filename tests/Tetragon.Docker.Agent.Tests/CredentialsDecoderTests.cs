using System.Buffers.Binary;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Tests;

public sealed class CredentialsDecoderTests
{
    [Fact]
    public void AStructCredBecomesProcessCredentialsWithNamedCapsAndSecurebits()
    {
        var data = new byte[L.CredSize];
        uint[] ids = [1000, 1001, 1002, 1003, 0, 1005, 1006, 1007]; // uid, gid, suid, sgid, euid, egid, fsuid, fsgid
        for (var i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(i * 4), ids[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(32), (1u << 4) | (1u << 5)); // SECURE_KEEP_CAPS, its lock
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(36), 1);                     // a nested user namespace
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(40), 1UL << 21);             // permitted: CAP_SYS_ADMIN
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(48), (1UL << 21) | 1);       // effective: + CAP_CHOWN
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(64), 4026531837);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(68), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(72), 1001);

        var creds = CredentialsDecoder.Decode(data, HostNamespaces.FromProc("/nonexistent"));

        Assert.Equal([1000u, 1001u, 1002u, 1003u, 0u, 1005u, 1006u, 1007u], [creds.Uid!.Value, creds.Gid!.Value, creds.Suid!.Value, creds.Sgid!.Value, creds.Euid!.Value, creds.Egid!.Value, creds.Fsuid!.Value, creds.Fsgid!.Value]);
        Assert.Equal([SecureBitsType.SecBitKeepCaps, SecureBitsType.SecBitKeepCapsLocked], creds.Securebits);
        Assert.Equal([CapabilitiesType.CapSysAdmin], creds.Caps.Permitted);
        Assert.Equal([CapabilitiesType.CapChown, CapabilitiesType.CapSysAdmin], creds.Caps.Effective);
        Assert.Empty(creds.Caps.Inheritable);
        Assert.Equal(1, creds.UserNs.Level);
        Assert.Equal(1000u, creds.UserNs.Uid);
        Assert.Equal(1001u, creds.UserNs.Gid);
        Assert.Equal(4026531837u, creds.UserNs.Ns.Inum);
        Assert.False(creds.UserNs.Ns.IsHost); // no host namespaces known here
        var json = Google.Protobuf.JsonFormatter.Default.Format(new KprobeArgument { ProcessCredentialsArg = creds });
        Assert.Contains("\"processCredentialsArg\"", json, StringComparison.Ordinal);
        Assert.Contains("\"CAP_SYS_ADMIN\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHostUserNamespaceIsMarked()
    {
        var host = HostNamespaces.FromProc();
        var data = new byte[L.CredSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(64), host.Inum((int)NamespaceKind.User));
        Assert.True(CredentialsDecoder.Decode(data, host).UserNs.Ns.IsHost);
    }

    [Fact]
    public void AShortRecordGivesEmptyCredentials() =>
        Assert.Equal(new ProcessCredentials(), CredentialsDecoder.Decode(new byte[L.CredSize - 1], HostNamespaces.FromProc("/nonexistent")));
}
