using System.Text;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.ExportStdout;

namespace Tetragon.Docker.ExportStdout.Tests;

public sealed class LogFollowerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("export-stdout-").FullName;

    private string LogPath => Path.Combine(dir, "tetragon.log");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Copies_complete_lines_only()
    {
        var output = new MemoryStream();
        using var follower = new LogFollower(LogPath, output);
        Assert.False(follower.Poll()); // no file yet

        File.WriteAllText(LogPath, "{\"a\":1}\n{\"b\":");
        follower.Poll();
        Assert.Equal("{\"a\":1}\n", Encoding.UTF8.GetString(output.ToArray()));

        File.AppendAllText(LogPath, "2}\n");
        follower.Poll();
        Assert.Equal("{\"a\":1}\n{\"b\":2}\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData(1, 1, false)]   // a poll after every line
    [InlineData(7, 3, false)]   // several lines, sometimes a rotation, between polls
    [InlineData(40, 5, false)]  // several rotations between two polls
    [InlineData(40, 0, false)]  // no backups kept: the old file is deleted while we hold it
    [InlineData(7, 3, true)]    // --export-file-compress: backups from .2 on are gzip
    [InlineData(40, 5, true)]   // several rotations between polls: some of what is missed is compressed
    public void Every_line_exactly_once_across_rotations(int linesPerPoll, int backups, bool compress)
    {
        var output = new MemoryStream();
        using var follower = new LogFollower(LogPath, output);
        using var writer = new RotatingFileWriter(LogPath, maxBytes: 600, maxBackups: backups, UnixFileMode.UserRead | UnixFileMode.UserWrite, compress: compress);
        var expected = new StringBuilder();
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var line = $"{{\"n\":{i},\"pad\":\"{new string('x', random.Next(0, 60))}\"}}\n";
            expected.Append(line);
            writer.WriteLine(Encoding.UTF8.GetBytes(line));
            if (i % 3 == 0)
            {
                writer.Flush(); // sometimes mid-way through the next poll's lines: partial lines on disk
            }

            if (i % linesPerPoll == 0 && (backups > 0 || linesPerPoll == 1))
            {
                follower.Poll();
            }
        }

        writer.Flush();
        writer.Dispose();
        follower.Poll();

        Assert.True(writer.Rotations > 50, $"only {writer.Rotations} rotations");
        Assert.Equal(compress && backups > 1, File.Exists(LogPath + ".2.gz"));
        if (backups == 0 && linesPerPoll > 1)
        {
            // Without backups, rotations between polls lose data by design; nothing is ever duplicated.
            var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(lines.Length, lines.Distinct().Count());
            return;
        }

        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(3000, follower.Lines);
    }

    [Fact]
    public void A_rotation_while_the_new_file_is_not_created_yet_loses_nothing()
    {
        var output = new MemoryStream();
        using var follower = new LogFollower(LogPath, output);
        File.WriteAllText(LogPath, "1\n2\n");
        follower.Poll();
        File.AppendAllText(LogPath, "3\n");
        File.Move(LogPath, LogPath + ".1");
        follower.Poll(); // old file finished, no new file yet
        File.WriteAllText(LogPath, "4\n");
        follower.Poll();
        Assert.Equal("1\n2\n3\n4\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(1, follower.Rotations);
    }
}
