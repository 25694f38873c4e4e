using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>The Engine API is down: a unix socket path nobody listens on.</summary>
public sealed class DockerWatcherTests : IDisposable
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private readonly FakeCgroupTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public async Task Starts_without_docker_keeps_retrying_and_never_leaves_events_pending()
    {
        var cgroup = tree.Add("/docker/" + A);
        var index = new CgroupIndex(tree.Root, TimeProvider.System);
        var resolver = new DockerContainerResolver(index, new ContainerCache(), new AgentCounters());
        var socket = Path.Combine(tree.Root, "nobody.sock");
        using var watcher = new DockerWatcher(resolver, new Uri("unix://" + socket), TimeProvider.System, NullLogger<DockerWatcher>.Instance, firstRetryDelay: TimeSpan.FromMilliseconds(20));

        var started = Stopwatch.StartNew();
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(started.Elapsed < DockerWatcher.FirstAttemptTimeout, $"start-up waited {started.Elapsed}");
        Assert.False(resolver.DockerReachable);

        var resolution = resolver.Resolve(cgroup);
        Assert.False(resolution.Pending);
        Assert.Equal(A, resolution.Container!.Id);
        Assert.Equal("", resolution.Container.Name);

        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.Equal(0, watcher.Connections);

        var stopping = Stopwatch.StartNew();
        await watcher.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stopping.Elapsed}");
    }
}
