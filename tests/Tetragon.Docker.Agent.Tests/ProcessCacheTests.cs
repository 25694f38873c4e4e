using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ProcessCacheTests
{
    private static Api.Process P(uint pid, string id) => new() { Pid = pid, ExecId = id };

    [Fact]
    public void ParentOutlivesItsExitWhileAChildReferencesIt()
    {
        var cache = new ProcessCache();
        var parent = cache.Add(10, P(10, "p"), null, 1);
        var child = cache.Add(11, P(11, "c"), parent, 1);
        Assert.Equal(2, cache.Size);

        Assert.Same(parent, cache.Exit(10));
        Assert.Null(cache.Get(10));
        Assert.Equal(2, cache.Size); // still referenced by the child
        Assert.Same(parent, child.Parent);

        cache.Exit(11);
        Assert.Equal(0, cache.Size);
    }

    [Fact]
    public void EntriesListLivePidsThenTheExitedAncestorsTheyHoldEachOnce()
    {
        var cache = new ProcessCache();
        var grandparent = cache.Add(10, P(10, "g"), null, 1);
        var parent = cache.Add(11, P(11, "p"), grandparent, 1);
        cache.Add(12, P(12, "a"), parent, 1);
        cache.Add(13, P(13, "b"), parent, 1);
        cache.Exit(10);
        cache.Exit(11);

        var ids = cache.Entries().Select(e => e.ExecId).ToList();
        Assert.Equal(["a", "b", "p", "g"], ids);
        Assert.All(cache.Entries(), e => Assert.True(e.Refs > 0));
    }

    [Fact]
    public void ExecReplacesThePidsImage()
    {
        var cache = new ProcessCache();
        var clone = cache.Add(5, P(5, "clone"), null, 1);
        var exec = cache.Add(5, P(5, "exec"), null, 1);
        Assert.Same(exec, cache.Get(5));
        Assert.Equal(0, clone.Refs);
        Assert.Equal(1, cache.Size);
    }

    [Fact]
    public void PastItsCapacityTheLeastRecentlyUsedPidIsEvicted()
    {
        var evicted = new System.Runtime.CompilerServices.StrongBox<long>();
        var cache = new ProcessCache(3, evicted);
        cache.Add(1, P(1, "a"), null, 1);
        cache.Add(2, P(2, "b"), null, 1);
        cache.Add(3, P(3, "c"), null, 1);
        Assert.NotNull(cache.Get(1)); // used: 2 is now the oldest

        cache.Add(4, P(4, "d"), null, 1);

        Assert.Null(cache.Get(2));
        Assert.Equal(new uint[] { 1, 3, 4 }, cache.Pids().Order());
        Assert.Equal(3, cache.Size);
        Assert.Equal(1, evicted.Value);
        Assert.Equal(1, cache.Evicted);
        Assert.Null(cache.Exit(2)); // its exit is a miss now
    }

    [Fact]
    public void AnExecKeepsThePidsPlaceButCountsAsUse()
    {
        var cache = new ProcessCache(2);
        cache.Add(1, P(1, "a"), null, 1);
        cache.Add(2, P(2, "b"), null, 1);
        cache.Add(1, P(1, "a2"), null, 1); // exec of 1: 2 is the oldest

        cache.Add(3, P(3, "c"), null, 1);

        Assert.Equal("a2", cache.Get(1)!.ExecId);
        Assert.Null(cache.Get(2));
        Assert.Equal(1, cache.Evicted);
    }

    [Fact]
    public void ExitedAncestorsCountAndLeaveWithTheirLastDescendant()
    {
        // A double-forking chain: each generation exits after its child starts, so only the
        // descendants hold the ancestry. Without a bound it would grow forever.
        var cache = new ProcessCache(4);
        ProcessEntry? previous = null;
        for (uint pid = 100; pid < 110; pid++)
        {
            previous = cache.Add(pid, P(pid, $"g{pid}"), previous, 1);
            cache.Exit(pid - 1);
            Assert.True(cache.Size <= 4, $"size {cache.Size} after pid {pid}");
        }

        // The newest keeps the nearest ancestors that fit; the older ones are cut off.
        var chain = new List<string>();
        for (var e = cache.Get(109); e is not null; e = e.Parent)
        {
            chain.Add(e.ExecId);
        }

        Assert.Equal(["g109", "g108", "g107", "g106"], chain);
        Assert.Equal(1, cache.LivePids);

        // Another pid: the chain's last holder is the least recently used, and goes with it.
        var other = cache.Add(200, P(200, "other"), null, 1);
        Assert.Null(cache.Get(109));
        Assert.Same(other, cache.Get(200));
        Assert.Equal(1, cache.Size);
    }

    [Fact]
    public void ACapacityBelowOneIsRefused() =>
        Assert.Contains("--process-cache-size", Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessCache(0)).Message);

    [Fact]
    public void UnknownExitIsNull() => Assert.Null(new ProcessCache().Exit(1234));
}
