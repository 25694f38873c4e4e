using System.IO.Compression;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.ExportStdout;

/// <summary>
/// Follows the agent's rotating JSON log (tetragon.log → tetragon.log.1 → ...) and copies every
/// complete line to the output exactly once. The open file is held by descriptor, so a rename does
/// not disturb it; a rotation shows as the path naming another inode (or none). Then the old file is
/// read to its end (the writer closed it before renaming), the backups newer than it are read in
/// order (several rotations between two polls), and only then the new file is opened.
/// </summary>
internal sealed class LogFollower : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly string path;
    private readonly Stream output;
    private readonly byte[] chunk = new byte[ChunkSize];
    private readonly MemoryStream partial = new();
    private FileStream? current;
    private ulong currentInode;
    private ulong? finishedInode;

    public LogFollower(string path, Stream output)
    {
        this.path = path;
        this.output = output;
    }

    public long Lines { get; private set; }

    public long Rotations { get; private set; }

    /// <summary>Copies whatever is new; returns true when anything was written.</summary>
    public bool Poll()
    {
        var before = Lines;
        if (current is null && !OpenCurrent())
        {
            return false;
        }

        Drain(current!);
        if (PathInode() != currentInode)
        {
            // Rotated (or removed): the old file is complete once the path names something else.
            Drain(current!);
            FinishPartialLine();
            current!.Dispose();
            current = null;
            finishedInode = currentInode;
            Rotations++;
            OpenCurrent();
            if (current is not null)
            {
                Drain(current);
            }
        }

        output.Flush();
        return Lines != before;
    }

    public void Dispose()
    {
        current?.Dispose();
        partial.Dispose();
    }

    /// <summary>Opens the live file, after copying the backups written since the last file we finished.</summary>
    private bool OpenCurrent()
    {
        if (finishedInode is { } finished)
        {
            foreach (var backup in BackupsNewerThan(finished))
            {
                using var stream = TryOpen(backup, out _);
                if (stream is null)
                {
                    continue;
                }

                if (backup.EndsWith(".gz", StringComparison.Ordinal))
                {
                    using var gzip = new GZipStream(stream, CompressionMode.Decompress);
                    Drain(gzip);
                }
                else
                {
                    Drain(stream);
                }

                FinishPartialLine();
            }
        }

        current = TryOpen(path, out currentInode);
        if (current is not null)
        {
            finishedInode = null;
        }

        return current is not null;
    }

    /// <summary>
    /// tetragon.log.(k-1) ... tetragon.log.1 when the finished file is now tetragon.log.k, oldest
    /// first; a compressed backup (tetragon.log.k.gz, --export-file-compress) is known by the
    /// inode it was made from, which its gzip header names.
    /// </summary>
    private List<string> BackupsNewerThan(ulong finished)
    {
        var newer = new List<string>();
        for (var i = 1; i < 10_000; i++)
        {
            var backup = $"{path}.{i}";
            if (!FileInode.TryGet(backup, out var inode))
            {
                backup += ".gz";
                if (GzipBackupHeader.SourceInode(backup) is not { } source)
                {
                    break;
                }

                inode = source;
            }

            if (inode == finished)
            {
                break;
            }

            newer.Add(backup);
        }

        newer.Reverse();
        return newer;
    }

    private void Drain(Stream stream)
    {
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            var span = chunk.AsSpan(0, read);
            var lastNewline = span.LastIndexOf((byte)'\n');
            if (lastNewline < 0)
            {
                partial.Write(span);
                continue;
            }

            if (partial.Length > 0)
            {
                output.Write(partial.GetBuffer(), 0, (int)partial.Length);
                partial.SetLength(0);
            }

            output.Write(span[..(lastNewline + 1)]);
            Lines += span[..(lastNewline + 1)].Count((byte)'\n');
            partial.Write(span[(lastNewline + 1)..]);
        }
    }

    /// <summary>A file that ended without a newline (a writer killed mid-line): its last line still goes out once.</summary>
    private void FinishPartialLine()
    {
        if (partial.Length == 0)
        {
            return;
        }

        output.Write(partial.GetBuffer(), 0, (int)partial.Length);
        output.WriteByte((byte)'\n');
        partial.SetLength(0);
        Lines++;
    }

    private ulong PathInode() => FileInode.TryGet(path, out var inode) ? inode : 0;

    private static FileStream? TryOpen(string file, out ulong inode)
    {
        inode = 0;
        try
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            // The inode of what we opened, not of what the path names a moment later.
            if (!FileInode.TryGet($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}", out inode))
            {
                stream.Dispose();
                return null;
            }

            return stream;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
