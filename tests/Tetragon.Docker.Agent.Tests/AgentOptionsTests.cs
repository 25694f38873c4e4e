using Tetragon.Docker.Agent.Options;

namespace Tetragon.Docker.Agent.Tests;

public sealed class AgentOptionsTests
{
    private static readonly AgentOptions Valid = new() { BpfLib = "/" };

    [Fact]
    public void DefaultsAreValid() => Assert.Empty(Valid.Validate());

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

    [Fact]
    public void LogLevelAndFormatMustBeKnown()
    {
        var errors = (Valid with { LogLevel = "verbose", LogFormat = "xml" }).Validate();
        Assert.Contains(errors, e => e.StartsWith("--log-level: \"verbose\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--log-format: \"xml\"", StringComparison.Ordinal));
        Assert.Empty((Valid with { LogLevel = "WARN", LogFormat = "json" }).Validate());
    }

    [Fact]
    public void ParsesOctalModes()
    {
        Assert.True(AgentOptions.TryParseFileMode("640", out var mode));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, mode);
    }
}
