using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Tests;

public sealed class EventTypesTests
{
    [Theory]
    [InlineData("PROCESS_EXEC", EventType.ProcessExec)]
    [InlineData("process_exec", EventType.ProcessExec)]
    [InlineData("ProcessKprobe", EventType.ProcessKprobe)]
    [InlineData(" process_lsm ", EventType.ProcessLsm)]
    [InlineData("RATE_LIMIT_INFO", EventType.RateLimitInfo)]
    public void TryParse_AcceptsCliSpellings(string name, EventType expected)
    {
        Assert.True(EventTypes.TryParse(name, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("UNDEF")]
    [InlineData("PROCESS_FORK")]
    [InlineData("")]
    public void TryParse_RejectsUnknown(string name)
    {
        Assert.False(EventTypes.TryParse(name, out _));
    }

    [Fact]
    public void Of_MapsOneofToEventType()
    {
        Assert.Equal(EventType.ProcessExec, EventTypes.Of(TestEvents.Exec(TestEvents.Proc("/bin/ls"))));
        Assert.Equal(EventType.ProcessExit, EventTypes.Of(TestEvents.Exit(TestEvents.Proc("/bin/ls"))));
        Assert.Equal(EventType.Test, EventTypes.Of(new GetEventsResponse { Test = new Test() }));
        Assert.Equal(EventType.Undef, EventTypes.Of(new GetEventsResponse()));
    }

    [Fact]
    public void Name_IsTetragonSpelling()
    {
        Assert.Equal("PROCESS_TRACEPOINT", EventTypes.Name(EventType.ProcessTracepoint));
        Assert.Contains("PROCESS_UPROBE", EventTypes.Names);
        Assert.DoesNotContain("UNDEF", EventTypes.Names);
    }
}
