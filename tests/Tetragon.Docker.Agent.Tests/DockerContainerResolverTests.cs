using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Metrics;

namespace Tetragon.Docker.Agent.Tests;

public sealed class DockerContainerResolverTests : IDisposable
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private readonly FakeCgroupTree tree = new();
    private readonly ManualTime time = new();
    private readonly DockerContainerResolver resolver;
    private readonly ulong cgroupA;

    public DockerContainerResolverTests()
    {
        cgroupA = tree.Add("/docker/" + A);
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();
        resolver = new DockerContainerResolver(index, new ContainerCache(), new AgentCounters()) { DockerReachable = true };
    }

    public void Dispose() => tree.Dispose();

    private static ContainerInfo Info(string name, uint? pid = 42) =>
        new(A, name, "busybox:latest", "sha256:1234", new Dictionary<string, string> { ["app"] = "web" }, DateTimeOffset.UnixEpoch, pid);

    private List<DockerWork> DrainWork()
    {
        var items = new List<DockerWork>();
        while (resolver.Work.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public void Host_cgroups_resolve_at_once()
    {
        Assert.Equal(ContainerResolution.Host, resolver.Resolve(1));
        Assert.Equal(ContainerResolution.Host, resolver.Resolve(0));
    }

    [Fact]
    public void A_cgroup_whose_directory_is_gone_is_named_by_the_path_bpf_read()
    {
        const ulong gone = 987654321; // not in the tree: the container already exited
        var resolution = resolver.Resolve(gone, "/docker/" + A);
        Assert.True(resolution.Pending); // metadata on its way, not "unknown cgroup"
        Assert.Equal([new DockerWork.Fetch(A)], DrainWork());

        resolver.Cache.Set(Info("short-lived"));
        Assert.Equal("short-lived", resolver.Resolve(gone).Container!.Name);
        Assert.Equal(ContainerResolution.Host, resolver.Resolve(1, "/user.slice/session-1.scope"));
    }

    [Fact]
    public void Unknown_metadata_is_pending_and_fetched_once()
    {
        Assert.True(resolver.Resolve(cgroupA).Pending);
        Assert.True(resolver.Resolve(cgroupA).Pending);
        Assert.Equal([new DockerWork.Fetch(A)], DrainWork());

        resolver.Cache.Set(Info("web"));
        var resolution = resolver.Resolve(cgroupA);
        Assert.False(resolution.Pending);
        Assert.Equal("web", resolution.Container!.Name);
    }

    [Fact]
    public void An_unknown_cgroup_id_is_pending_until_the_refresher_places_it()
    {
        var late = tree.Add("/docker/" + A + "/late");
        Assert.True(resolver.Resolve(late).Pending);
        Assert.True(resolver.CgroupSignal.TryRead(out _));
        Assert.Null(resolver.Index.Refresh());
        resolver.Cache.Set(Info("web"));
        Assert.Equal("web", resolver.Resolve(late).Container!.Name);
    }

    [Fact]
    public void Start_invalidates_the_metadata_and_rescans_cgroups()
    {
        resolver.Cache.Set(Info("web"));
        tree.Retire("/docker/" + A);
        var restarted = tree.Add("/docker/" + A);

        resolver.Apply(new ContainerEvent("start", A, "web"));
        Assert.Equal([new DockerWork.Fetch(A)], DrainWork());
        Assert.True(resolver.CgroupSignal.TryRead(out _));
        Assert.True(resolver.Resolve(cgroupA).Pending); // old cgroup id, metadata being refetched
        Assert.Null(resolver.Index.Refresh());

        resolver.Cache.Set(Info("web", pid: 77));
        var resolution = resolver.Resolve(restarted);
        Assert.False(resolution.Pending);
        Assert.Equal(77u, resolution.Container!.Pid);
    }

    [Fact]
    public void Die_keeps_the_container_for_late_events_and_destroy_forgets_it()
    {
        resolver.Cache.Set(Info("web"));
        resolver.Apply(new ContainerEvent("die", A, "web"));
        var resolution = resolver.Resolve(cgroupA);
        Assert.Equal("web", resolution.Container!.Name);
        Assert.Null(resolution.Container.Pid);

        resolver.Apply(new ContainerEvent("destroy", A, "web"));
        Assert.False(resolver.Cache.TryGet(A, out _));
        Assert.True(resolver.Resolve(cgroupA).Pending); // an unknown cgroup id again
    }

    [Fact]
    public void Rename_refetches()
    {
        resolver.Cache.Set(Info("web"));
        resolver.Apply(new ContainerEvent("rename", A, "web2"));
        Assert.True(resolver.Resolve(cgroupA).Pending);
        Assert.Equal([new DockerWork.Fetch(A)], DrainWork());
    }

    [Fact]
    public void While_docker_is_unreachable_a_container_resolves_to_its_id_alone()
    {
        resolver.DockerReachable = false;
        var resolution = resolver.Resolve(cgroupA);
        Assert.False(resolution.Pending);
        Assert.Equal(A, resolution.Container!.Id);
        Assert.Equal("", resolution.Container.Name);
        Assert.Empty(DrainWork());
    }

    [Fact]
    public void Without_a_cgroup2_hierarchy_everything_is_host()
    {
        var none = new DockerContainerResolver(new CgroupIndex(null, time), new ContainerCache(), new AgentCounters());
        Assert.Equal(ContainerResolution.Host, none.Resolve(cgroupA));
    }
}
