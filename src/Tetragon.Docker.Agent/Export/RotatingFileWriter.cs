using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Appends lines to the export file and rotates it by size, and by age with
/// <c>--export-file-rotation-interval</c> (at the first write past it): tetragon.log →
/// tetragon.log.1 → ... → tetragon.log.N (oldest dropped). Followers detect a rotation by the inode change.
/// With <c>--export-file-compress</c> the backups from .2 on are gzip (tetragon.log.2.gz ...): .1 stays
/// plain a rotation longer, so a follower that saw the rotation reads it as it is.
/// </summary>
public sealed class RotatingFileWriter : IDisposable
{
    private readonly string path;
    private readonly long maxBytes;
    private readonly int maxBackups;
    private readonly UnixFileMode mode;
    private readonly TimeSpan rotateEvery;
    private readonly TimeProvider time;
    private readonly bool compress;
    private FileStream? stream;
    private DateTimeOffset openedAt;

    public RotatingFileWriter(string path, long maxBytes, int maxBackups, UnixFileMode mode, TimeSpan rotateEvery = default, TimeProvider? time = null, bool compress = false)
    {
        this.compress = compress;
        this.path = path;
        this.maxBytes = maxBytes;
        this.maxBackups = maxBackups;
        this.mode = mode;
        this.rotateEvery = rotateEvery;
        this.time = time ?? TimeProvider.System;
    }

    public string Path => path;

    public long Rotations { get; private set; }

    /// <summary>Opens (or creates) the file now, so a bad path fails at start-up with a clear error.</summary>
    public void Open()
    {
        if (stream is not null)
        {
            return;
        }

        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0, // chunks of whole lines come ready: one write() each, no copy into a buffer
            UnixCreateMode = mode,
        });
        openedAt = time.GetUtcNow();
    }

    /// <summary>The file has lines and is older than the rotation interval.</summary>
    private bool DueByAge() => rotateEvery > TimeSpan.Zero && stream!.Position > 0 && time.GetUtcNow() - openedAt >= rotateEvery;

    /// <summary>Writes one complete line (the caller includes the newline). Rotates first if it would overflow.</summary>
    public void WriteLine(ReadOnlySpan<byte> line)
    {
        Open();
        if (DueByAge())
        {
            Rotate();
        }

        if (maxBytes > 0 && stream!.Position > 0 && stream.Position + line.Length > maxBytes)
        {
            Rotate();
        }

        stream!.Write(line);
    }

    /// <summary>Writes whole lines: the chunk at once when it fits, else line by line, rotating between lines.</summary>
    internal void WriteChunk(ExportChunk chunk)
    {
        Open();
        if (DueByAge())
        {
            Rotate();
        }

        var bytes = chunk.Bytes;
        var start = 0; // the first byte not yet written, always at a line start
        var line = 0; // the line that starts there
        while (start < bytes.Length)
        {
            if (maxBytes <= 0 || stream!.Position + (bytes.Length - start) <= maxBytes)
            {
                stream!.Write(bytes[start..]);
                return;
            }

            // As many lines as still fit, in one write; into an empty file at least one, however long.
            var end = start;
            while (line < chunk.Count && (stream.Position + (chunk.End(line) - start) <= maxBytes || (end == start && stream.Position == 0)))
            {
                end = chunk.End(line++);
            }

            stream.Write(bytes[start..end]);
            start = end;
            if (start < bytes.Length)
            {
                Rotate();
            }
        }
    }

    public void Flush() => stream?.Flush();

    public void Dispose()
    {
        stream?.Dispose();
        stream = null;
    }

    private void Rotate()
    {
        stream!.Dispose();
        stream = null;
        if (maxBackups <= 0)
        {
            File.Delete(path);
        }
        else
        {
            File.Delete($"{path}.{maxBackups}");
            File.Delete($"{path}.{maxBackups}.gz");
            for (var i = maxBackups - 1; i >= 1; i--)
            {
                if (File.Exists($"{path}.{i}.gz"))
                {
                    File.Move($"{path}.{i}.gz", $"{path}.{i + 1}.gz");
                }

                if (!File.Exists($"{path}.{i}"))
                {
                    continue;
                }

                if (compress && FileInode.TryGet($"{path}.{i}", out var inode))
                {
                    GzipBackup.Compress($"{path}.{i}", $"{path}.{i + 1}.gz", inode, mode);
                    File.Delete($"{path}.{i}");
                }
                else
                {
                    File.Move($"{path}.{i}", $"{path}.{i + 1}");
                }
            }

            File.Move(path, $"{path}.1");
        }

        Rotations++;
        Open();
    }
}
