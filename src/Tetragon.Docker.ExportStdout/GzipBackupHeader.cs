using System.Globalization;
using System.Text;

namespace Tetragon.Docker.ExportStdout;

/// <summary>
/// Reads which export file a compressed backup was made from: the agent (Export/GzipBackup) puts
/// "tetragon-inode=N" in the gzip header's comment (RFC 1952 FCOMMENT).
/// </summary>
internal static class GzipBackupHeader
{
    private const string CommentPrefix = "tetragon-inode=";

    /// <summary>The source inode, or null for a file that is not such a backup (or is gone).</summary>
    public static ulong? SourceInode(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[10];
            if (file.Read(header) != 10 || header[0] != 0x1f || header[1] != 0x8b || (header[3] & 0x10) == 0 || (header[3] & 0x0c) != 0)
            {
                return null; // not gzip, no comment, or FEXTRA/FNAME before it (not ours)
            }

            var comment = new StringBuilder();
            int b;
            while ((b = file.ReadByte()) > 0 && comment.Length < 64)
            {
                comment.Append((char)b);
            }

            var text = comment.ToString();
            return text.StartsWith(CommentPrefix, StringComparison.Ordinal)
                && ulong.TryParse(text.AsSpan(CommentPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var inode) ? inode : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
