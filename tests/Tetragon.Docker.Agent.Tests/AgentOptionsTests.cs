using Tetragon.Docker.Agent.Options;

namespace Tetragon.Docker.Agent.Tests;

public sealed class AgentOptionsTests
{
    private static readonly AgentOptions Valid = new() { BpfLib = "/" };

    [Fact]
    public void DefaultsAreValid() => Assert.Empty(Valid.Validate());

    [Fact]
    public void ProcessCacheSizeDefaultsToTetragonsAndMustBePositive()
    {
        Assert.Equal(65536, Valid.ProcessCacheSize);
        Assert.Contains((Valid with { ProcessCacheSize = 0 }).Validate(), e => e == "--process-cache-size: 0 must be positive");
        Assert.DoesNotContain((Valid with { ProcessCacheSize = 1 }).Validate(), e => e.StartsWith("--process-cache-size", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(5000u)]
    [InlineData(2048u)]
    public void RingBufferSizeMustBeAPowerOfTwoOfAtLeastAPage(uint size) =>
        Assert.Contains((Valid with { RbSize = size }).Validate(), e => e.StartsWith("--rb-size", StringComparison.Ordinal));

    [Fact]
    public void NamesEveryBadFlag()
    {
        var errors = (Valid with { ExportFilePerm = "9x", ServerAddress = "nope", BpfLib = "/no/such/dir" }).Validate();
        Assert.Contains(errors, e => e.StartsWith("--export-file-perm", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--server-address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--bpf-lib", StringComparison.Ordinal));
    }

    [Fact]
    public void ExportListsAreCheckedBeforeStartUp()
    {
        var errors = (Valid with { ExportAllowlist = "{\"binary_regex\":[\"(\"]}", ExportDenylist = "{\"event_set\":[\"PROCESS_EXEC\"]}\n{\"bogus\":1}" }).Validate();
        Assert.Contains(errors, e => e.StartsWith("--export-denylist: filter 2 (line 2)", StringComparison.Ordinal));
        Assert.Empty((Valid with { ExportAllowlist = "{\"event_set\":[\"PROCESS_EXEC\"]}", ExportRateLimit = 0 }).Validate());

        // The deny list is parsed first only once the allow list is: fix one, the other is named.
        errors = (Valid with { ExportAllowlist = "{\"binary_regex\":[\"(\"]}" }).Validate();
        Assert.Contains(errors, e => e.StartsWith("--export-allowlist[0].binary_regex[0]: invalid regular expression", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1000,1s", 1000ul, 1.0)]
    [InlineData("100, 1m", 100ul, 60.0)]
    [InlineData("10000,10m", 10000ul, 600.0)]
    [InlineData("5,500ms", 5ul, 0.5)]
    public void CgroupRateIsEventsPerInterval(string text, ulong events, double seconds)
    {
        var options = Valid with { CgroupRate = text };
        Assert.Empty(options.Validate());
        Assert.Equal((events, TimeSpan.FromSeconds(seconds)), options.CgroupRateLimit());
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("abc,1s")]
    [InlineData("0,1s")]
    [InlineData("-5,1s")]
    [InlineData("10,0s")]
    [InlineData("10,soon")]
    [InlineData("10,1s,3")]
    public void ABadCgroupRateIsNamed(string text) =>
        Assert.Contains((Valid with { CgroupRate = text }).Validate(), e => e.StartsWith($"--cgroup-rate: \"{text}\" is not <events>,<interval>", StringComparison.Ordinal));

    [Fact]
    public void NoCgroupRateMeansOff() => Assert.Null(Valid.CgroupRateLimit());

    [Fact]
    public void LogLevelAndFormatMustBeKnown()
    {
        var errors = (Valid with { LogLevel = "verbose", LogFormat = "xml" }).Validate();
        Assert.Contains(errors, e => e.StartsWith("--log-level: \"verbose\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--log-format: \"xml\"", StringComparison.Ordinal));
        Assert.Empty((Valid with { LogLevel = "WARN", LogFormat = "json" }).Validate());
    }

    [Fact]
    public void UsernameMetadataIsDisabledOrUnix()
    {
        Assert.Contains((Valid with { UsernameMetadata = "ldap" }).Validate(), e => e == "--username-metadata: \"ldap\" is not disabled or unix");
        Assert.Empty((Valid with { UsernameMetadata = "unix" }).Validate());
        Assert.Equal("disabled", new AgentOptions().UsernameMetadata);
    }

    [Fact]
    public void ParsesOctalModes()
    {
        Assert.True(AgentOptions.TryParseFileMode("640", out var mode));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, mode);
    }
}
