using Tetragon.Docker.Agent.Options;

namespace Tetragon.Docker.Agent.Tests;

public sealed class AgentCommandLineTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("conf-d-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Exit, AgentOptions? Options, string Errors) Run(params string[] args)
    {
        AgentOptions? seen = null;
        var root = new AgentCommandLine().Build((o, _) =>
        {
            seen = o;
            return Task.FromResult(0);
        });
        var parse = root.Parse(args);
        var errors = string.Join("\n", parse.Errors.Select(e => e.Message));
        return (parse.Errors.Count > 0 ? 2 : parse.Invoke(), seen, errors);
    }

    [Fact]
    public void AFilePerFlagInTheConfigDirectoryConfiguresTheAgentAndTheCommandLineWins()
    {
        File.WriteAllText(Path.Combine(dir, "export-rate-limit"), "42\n");
        File.WriteAllText(Path.Combine(dir, "enable-process-cred"), "true");
        File.WriteAllText(Path.Combine(dir, "export-denylist"), "{\"health_check\":true}\n{\"pid\":[1]}\n");
        File.WriteAllText(Path.Combine(dir, "node-name"), "from-file");

        var (exit, options, errors) = Run("--config-dir", dir, "--node-name", "from-flag");

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Equal(42, options!.ExportRateLimit);
        Assert.True(options.EnableProcessCred);
        Assert.Equal("{\"health_check\":true}\n{\"pid\":[1]}", options.ExportDenylist);
        Assert.Equal("from-flag", options.NodeName);
        Assert.False(options.EnableProcessNs); // no file: the default
    }

    [Fact]
    public void ABadValueInAFileNamesTheFile()
    {
        File.WriteAllText(Path.Combine(dir, "export-rate-limit"), "lots");

        var (exit, _, errors) = Run("--config-dir", dir);

        Assert.Equal(2, exit);
        Assert.Contains($"{Path.Combine(dir, "export-rate-limit")}: \"lots\" is not a valid value for --export-rate-limit", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfigDirectoryThatIsNotThereIsAnError()
    {
        var (exit, _, errors) = Run("--config-dir", Path.Combine(dir, "missing"));
        Assert.Equal(2, exit);
        Assert.Contains("--config-dir: directory " + Path.Combine(dir, "missing") + " does not exist", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--rb-size", "16M" }, 16u << 20)]
    [InlineData(new[] { "--rb-size", "4096" }, 4096u)]
    [InlineData(new[] { "--rb-size", "64k" }, 64u << 10)]
    [InlineData(new[] { "--rb-size", "1M", "--rb-size-total", "2M" }, 2u << 20)]
    [InlineData(new string[0], 8u << 20)]
    public void RingSizesTakeTetragonsSuffixes(string[] args, uint expected)
    {
        var (exit, options, errors) = Run(args);
        Assert.Equal("", errors);
        Assert.Equal(0, exit);
        Assert.Equal(expected, options!.RbSize);
    }

    [Fact]
    public void ProcessCacheSizeIsAFlag() => Assert.Equal(500, Run("--process-cache-size", "500").Options!.ProcessCacheSize);

    [Fact]
    public void ABadSizeIsNamedWhereverItComesFrom()
    {
        Assert.Contains("--rb-size: \"8X\" is not a size in bytes", Run("--rb-size", "8X").Errors, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir, "rb-size"), "2M");
        Assert.Equal(2u << 20, Run("--config-dir", dir).Options!.RbSize);
        File.WriteAllText(Path.Combine(dir, "rb-size-total"), "5G");
        Assert.Contains($"{Path.Combine(dir, "rb-size-total")}: \"5G\" is not a valid value for --rb-size-total", Run("--config-dir", dir).Errors, StringComparison.Ordinal);
    }
}
