using System.Buffers.Binary;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>A <c>cred</c> argument (struct gen_cred) as Tetragon's process_credentials_arg.</summary>
internal static class CredentialsDecoder
{
    public static ProcessCredentials Decode(ReadOnlySpan<byte> data, HostNamespaces host)
    {
        if (data.Length < L.CredSize)
        {
            return new ProcessCredentials();
        }

        var credentials = new ProcessCredentials
        {
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(data[0..]),
            Gid = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]),
            Suid = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
            Sgid = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]),
            Euid = BinaryPrimitives.ReadUInt32LittleEndian(data[16..]),
            Egid = BinaryPrimitives.ReadUInt32LittleEndian(data[20..]),
            Fsuid = BinaryPrimitives.ReadUInt32LittleEndian(data[24..]),
            Fsgid = BinaryPrimitives.ReadUInt32LittleEndian(data[28..]),
            Caps = new Capabilities
            {
                Permitted = { ProcessFactory.CapabilityNames(BinaryPrimitives.ReadUInt64LittleEndian(data[40..])) },
                Effective = { ProcessFactory.CapabilityNames(BinaryPrimitives.ReadUInt64LittleEndian(data[48..])) },
                Inheritable = { ProcessFactory.CapabilityNames(BinaryPrimitives.ReadUInt64LittleEndian(data[56..])) },
            },
            UserNs = new UserNamespace
            {
                Level = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[36..]),
                Uid = BinaryPrimitives.ReadUInt32LittleEndian(data[68..]),
                Gid = BinaryPrimitives.ReadUInt32LittleEndian(data[72..]),
                Ns = new Namespace { Inum = BinaryPrimitives.ReadUInt32LittleEndian(data[64..]), IsHost = host.IsHost(NamespaceKind.User, BinaryPrimitives.ReadUInt32LittleEndian(data[64..])) },
            },
        };
        var securebits = BinaryPrimitives.ReadUInt32LittleEndian(data[32..]);
        for (var bit = 0; bit < 8; bit++)
        {
            if ((securebits & (1u << bit)) != 0)
            {
                credentials.Securebits.Add((SecureBitsType)(1 << bit)); // SecBitNoRoot = 1 << SECURE_NOROOT, ...
            }
        }

        return credentials;
    }
}
