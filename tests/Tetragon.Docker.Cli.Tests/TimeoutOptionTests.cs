namespace Tetragon.Docker.Cli.Tests;

public sealed class TimeoutOptionTests
{
    private static TetraCommand Cli() => new(new CliContext(TextWriter.Null, TextWriter.Null, () => Stream.Null, _ => null, _ => false));

    [Theory]
    [InlineData("status", 10_000)]
    [InlineData("--timeout 30s status", 30_000)]
    [InlineData("tracingpolicy list --timeout 1m30s", 90_000)]
    [InlineData("--timeout 500ms version", 500)]
    [InlineData("--timeout 1.5h status", 5_400_000)]
    public void TimeoutTakesGoDurationsAnywhereOnTheLine(string line, long milliseconds)
    {
        var cli = Cli();
        var parse = cli.Root.Parse(line);
        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parse.GetValue(cli.Context.TimeoutOption));
    }

    [Theory]
    [InlineData("--timeout 10 status")] // Go wants a unit
    [InlineData("--timeout abc status")]
    [InlineData("--timeout 0 status")] // no time at all for the call
    [InlineData("--timeout 5x status")]
    public void ABadTimeoutIsAnErrorNamingTheFlag(string line)
    {
        var parse = Cli().Root.Parse(line);
        Assert.Contains(parse.Errors, e => e.Message.Contains("--timeout", StringComparison.Ordinal));
    }
}
