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
    public void UnknownExitIsNull() => Assert.Null(new ProcessCache().Exit(1234));
}
