using Tetragon.Docker.Agent.Export;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ExportRateLimiterTests
{
    [Fact]
    public void ABurstOfTheLimitPassesThenTheBucketRefillsOverTheMinute()
    {
        var time = new ManualTime();
        var limiter = new ExportRateLimiter(60, time);

        Assert.Equal(60, Enumerable.Range(0, 100).Count(_ => limiter.TryTake()));
        Assert.Equal(40ul, limiter.Dropped);

        time.Advance(TimeSpan.FromSeconds(10)); // 60 a minute: 10 tokens back
        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => limiter.TryTake()));

        time.Advance(TimeSpan.FromHours(1)); // a quiet hour saves up no more than the limit
        Assert.Equal(60, Enumerable.Range(0, 100).Count(_ => limiter.TryTake()));
    }

    [Fact]
    public void ZeroLetsNothingThroughAndAClockSteppedBackRefillsNothing()
    {
        var time = new ManualTime();
        var none = new ExportRateLimiter(0, time);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(none.TryTake());

        var limiter = new ExportRateLimiter(1, time);
        Assert.True(limiter.TryTake());
        time.Advance(TimeSpan.FromMinutes(-10));
        Assert.False(limiter.TryTake());
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(limiter.TryTake()); // half a token since the step back
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(limiter.TryTake());
    }

    [Fact]
    public void WhatWasRefusedIsReportedOnceAMinuteOrWhenForced()
    {
        var time = new ManualTime();
        var limiter = new ExportRateLimiter(1, time);
        limiter.TryTake();
        limiter.TryTake();
        limiter.TryTake();

        Assert.Equal(0ul, limiter.TakeReport(force: false)); // the minute is not over
        time.Advance(ExportRateLimiter.Interval);
        Assert.Equal(2ul, limiter.TakeReport(force: false));
        Assert.Equal(0ul, limiter.TakeReport(force: true)); // nothing new

        limiter.TryTake(); // the token the minute brought
        limiter.TryTake();
        Assert.Equal(1ul, limiter.TakeReport(force: true));
        Assert.Equal(0ul, limiter.Dropped);
    }
}
