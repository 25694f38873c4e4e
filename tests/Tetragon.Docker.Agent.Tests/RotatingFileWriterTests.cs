using System.Text;
using Tetragon.Docker.Agent.Export;

namespace Tetragon.Docker.Agent.Tests;

public sealed class RotatingFileWriterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rotate-").FullName;

    [Fact]
    public void RotatesBySizeAndKeepsTheNewestBackups()
    {
        var path = Path.Combine(dir, "t.log");
        using (var writer = new RotatingFileWriter(path, maxBytes: 100, maxBackups: 2, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            for (var i = 0; i < 10; i++)
            {
                writer.WriteLine(Encoding.UTF8.GetBytes($"line-{i:D2}-{new string('x', 30)}\n")); // 40 bytes
            }

            Assert.Equal(4, writer.Rotations);
        }

        Assert.Equal(["line-08", "line-09"], Lines(path));
        Assert.Equal(["line-06", "line-07"], Lines(path + ".1"));
        Assert.Equal(["line-04", "line-05"], Lines(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void CompressedBackupsAreGzipFromTheSecondOnNamingTheFileTheyCameFrom()
    {
        var path = Path.Combine(dir, "z.log");
        ulong firstInode = 0;
        using (var writer = new RotatingFileWriter(path, maxBytes: 100, maxBackups: 3, UnixFileMode.UserRead | UnixFileMode.UserWrite, compress: true))
        {
            for (var i = 0; i < 10; i++)
            {
                writer.WriteLine(Encoding.UTF8.GetBytes($"line-{i:D2}-{new string('x', 30)}\n"));
                if (i == 5)
                {
                    Bpf.FileInode.TryGet(path, out firstInode); // holds line-04, line-05: becomes .2.gz
                }
            }
        }

        Assert.Equal(["line-06", "line-07"], Lines(path + ".1")); // the newest backup stays plain
        Assert.False(File.Exists(path + ".2"));
        using (var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path + ".2.gz"), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            Assert.Equal(["line-04", "line-05"], reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..7]));
        }

        var header = File.ReadAllBytes(path + ".2.gz").AsSpan(10, 40).ToArray();
        Assert.StartsWith($"tetragon-inode={firstInode}\0", Encoding.ASCII.GetString(header), StringComparison.Ordinal);
        Assert.True(File.Exists(path + ".3.gz"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + ".2.gz")); // --export-file-perm holds for backups
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void AChunkRotatesBetweenItsLinesAsSingleLinesWould()
    {
        var path = Path.Combine(dir, "c.log");
        var chunk = new ExportChunk();
        for (var i = 0; i < 10; i++)
        {
            chunk.Add(Encoding.UTF8.GetBytes($"line-{i:D2}-{new string('x', i == 3 ? 130 : 30)}\n")); // 40 bytes; line 3 is over the limit
        }

        using (var writer = new RotatingFileWriter(path, maxBytes: 100, maxBackups: 3, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            writer.WriteLine(Encoding.UTF8.GetBytes($"first---{new string('x', 31)}\n"));
            writer.WriteChunk(chunk);
            Assert.Equal(5, writer.Rotations);
        }

        Assert.Equal(["line-08", "line-09"], Lines(path));
        Assert.Equal(["line-06", "line-07"], Lines(path + ".1"));
        Assert.Equal(["line-04", "line-05"], Lines(path + ".2"));
        Assert.Equal(["line-03"], Lines(path + ".3")); // alone: longer than the limit
        Assert.False(File.Exists(path + ".4"));
    }

    [Fact]
    public void OpeningAnUnwritablePathFails()
    {
        using var writer = new RotatingFileWriter("/proc/version/x.log", 100, 1, UnixFileMode.UserRead);
        Assert.ThrowsAny<IOException>(writer.Open);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void RotatesByAgeAtTheFirstWritePastTheInterval()
    {
        var path = Path.Combine(dir, "age.log");
        var time = new ManualTime();
        using (var writer = new RotatingFileWriter(path, maxBytes: 0, maxBackups: 3, UnixFileMode.UserRead | UnixFileMode.UserWrite, TimeSpan.FromHours(1), time))
        {
            writer.WriteLine("line-00\n"u8);
            time.Advance(TimeSpan.FromMinutes(59));
            writer.WriteLine("line-01\n"u8);
            time.Advance(TimeSpan.FromMinutes(1));
            var chunk = new ExportChunk();
            chunk.Add("line-02\n"u8);
            writer.WriteChunk(chunk); // an hour after the file was opened: a new file first
            time.Advance(TimeSpan.FromHours(5));
            writer.WriteLine("line-03\n"u8);
            Assert.Equal(2, writer.Rotations);
        }

        Assert.Equal(["line-03"], Lines(path));
        Assert.Equal(["line-02"], Lines(path + ".1"));
        Assert.Equal(["line-00", "line-01"], Lines(path + ".2"));
    }

    private static string[] Lines(string path) => [.. File.ReadAllLines(path).Select(l => l[..7])];
}
