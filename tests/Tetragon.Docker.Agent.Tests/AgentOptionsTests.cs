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
    public void ParsesOctalModes()
    {
        Assert.True(AgentOptions.TryParseFileMode("640", out var mode));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, mode);
    }
}
