using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// --export-file-compress: a rotated export file as gzip (RFC 1952) whose header comment names
/// the inode it was compressed from ("tetragon-inode=N"). The export-stdout follower knows the
/// files it finished by inode; compression gives a backup a new one, and the comment lets the
/// follower (ExportStdout's GzipBackupHeader) still tell which backups it has read.
/// </summary>
internal static class GzipBackup
{
    public const string CommentPrefix = "tetragon-inode=";

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes <paramref name="source"/> as <paramref name="target"/> (through a temporary file and a rename: never seen half written).</summary>
    /// <param name="mode">The export file's permissions (--export-file-perm): a backup holds the same events.</param>
    public static void Compress(string source, string target, ulong sourceInode, UnixFileMode mode)
    {
        var temporary = target + ".tmp";
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var output = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            // ID1 ID2 CM=deflate FLG=FCOMMENT MTIME(0) XFL OS=unix, then the comment, NUL ended.
            output.Write([0x1f, 0x8b, 8, 0x10, 0, 0, 0, 0, 0, 3]);
            output.Write(Encoding.ASCII.GetBytes(CommentPrefix + sourceInode));
            output.WriteByte(0);
            var crc = 0xffffffffu;
            long size = 0;
            var buffer = new byte[64 * 1024];
            using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                int read;
                while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    crc = Crc(crc, buffer.AsSpan(0, read));
                    size += read;
                    deflate.Write(buffer, 0, read);
                }
            }

            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, ~crc);
            BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)size);
            output.Write(trailer);
            output.Flush(flushToDisk: false);
        }

        File.Move(temporary, target, overwrite: true);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
