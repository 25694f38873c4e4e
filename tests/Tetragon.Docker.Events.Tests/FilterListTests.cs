using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Events.Tests;

public sealed class FilterListTests
{
    [Fact]
    public void ObjectsFollowOneAnotherOnLinesOrOnOneLine()
    {
        var filters = FilterList.Parse(
            """
            {"event_set":["PROCESS_EXEC", "PROCESS_EXIT"]}
              {"binary_regex":["^/usr/bin/(true|fa{1}lse)$", "a}b{\"c"]} {"health_check":true}
            """,
            "--export-allowlist");

        Assert.Equal(3, filters.Count);
        Assert.Equal([EventType.ProcessExec, EventType.ProcessExit], filters[0].EventSet);
        Assert.Equal(["^/usr/bin/(true|fa{1}lse)$", "a}b{\"c"], filters[1].BinaryRegex);
        Assert.True(filters[2].HealthCheck);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t ")]
    public void BlankTextIsNoFilter(string text) => Assert.Empty(FilterList.Parse(text, "--export-denylist"));

    [Theory]
    [InlineData("{\"event_set\":[\"PROCESS_EXEC\"]}\n\n{\"no_such_field\":1}", "--export-denylist: filter 2 (line 3): ", "no_such_field")]
    [InlineData("{\"pid\":[\"twelve\"]}", "--export-denylist: filter 1 (line 1): ", "")]
    [InlineData("{\"event_set\":[\"PROCESS_EXEC\"]", "--export-denylist: filter 1 (line 1) is not closed", "")]
    [InlineData("{\"pid\":[1]}\n[{\"pid\":[2]}]", "--export-denylist: unexpected '[' at line 2", "")]
    [InlineData("event_set=PROCESS_EXEC", "--export-denylist: unexpected 'e' at line 1", "JSON object")]
    public void ABrokenListNamesTheFlagTheFilterAndItsLine(string text, string start, string also)
    {
        var e = Assert.Throws<ArgumentException>(() => FilterList.Parse(text, "--export-denylist"));
        Assert.StartsWith(start, e.Message, StringComparison.Ordinal);
        Assert.Contains(also, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsedListsCompileIntoTheFilterTheGrpcStreamsUse()
    {
        var filter = EventFilter.Compile(
            FilterList.Parse("{\"event_set\":[\"PROCESS_EXEC\"]}", "--export-allowlist"),
            FilterList.Parse("{\"binary_regex\":[\"true$\"]}", "--export-denylist"),
            "--export-allowlist",
            "--export-denylist");
        GetEventsResponse Exec(string binary) => new() { ProcessExec = new ProcessExec { Process = new Api.Process { Binary = binary } } };

        Assert.True(filter.Matches(Exec("/usr/bin/env")));
        Assert.False(filter.Matches(Exec("/usr/bin/true")));
        Assert.False(filter.Matches(new GetEventsResponse { ProcessExit = new ProcessExit { Process = new Api.Process { Binary = "/usr/bin/env" } } }));

        var bad = Assert.Throws<ArgumentException>(() => EventFilter.Compile(FilterList.Parse("{\"binary_regex\":[\"(\"]}", "--export-allowlist"), [], "--export-allowlist", "--export-denylist"));
        Assert.StartsWith("--export-allowlist[0].binary_regex[0]: invalid regular expression", bad.Message, StringComparison.Ordinal);
    }
}
