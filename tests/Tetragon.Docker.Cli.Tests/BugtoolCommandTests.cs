using System.Formats.Tar;
using System.IO.Compression;

namespace Tetragon.Docker.Cli.Tests;

public sealed class BugtoolCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("bugtool-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task WithTheAgentDownTheArchiveStillHoldsTheKernelFactsAndWhyTheAgentIsMissing()
    {
        var output = new StringWriter();
        var cli = new TetraCommand(new CliContext(output, new StringWriter(), () => Stream.Null, _ => null, File.Exists));
        var archive = Path.Combine(dir, "b.tar.gz");

        var code = await cli.Root.Parse(["--server-address", $"unix://{dir}/no-agent.sock", "--timeout", "2s", "bugtool", "--out", archive]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var files = Read(archive);
        Assert.Contains("Linux version", files["tetragon-bugtool/kernel/version"], StringComparison.Ordinal);
        Assert.StartsWith("/sys/kernel/btf/vmlinux: ", files["tetragon-bugtool/kernel/btf"], StringComparison.Ordinal);
        Assert.Contains($"unix://{dir}/no-agent.sock", files["tetragon-bugtool/agent/status.json.error"], StringComparison.Ordinal);
        Assert.Contains("could not be read", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnArchiveThatCannotBeWrittenIsNamed()
    {
        var error = new StringWriter();
        var cli = new TetraCommand(new CliContext(new StringWriter(), error, () => Stream.Null, _ => null, File.Exists));

        var code = await cli.Root.Parse(["--server-address", $"unix://{dir}/no-agent.sock", "--timeout", "1s", "bugtool", "--out", "/proc/version/b.tar.gz"]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains("bugtool: cannot write /proc/version/b.tar.gz", error.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Read(string archive)
    {
        var files = new Dictionary<string, string>();
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            using var reader = new StreamReader(entry.DataStream!);
            files[entry.Name] = reader.ReadToEnd();
        }

        return files;
    }
}
