using Tetragon.Docker.Agent.Docker;

namespace Tetragon.Docker.Agent.Tests;

public sealed class CgroupIndexTests : IDisposable
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly FakeCgroupTree tree = new();
    private readonly ManualTime time = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Full_scan_maps_container_cgroups_and_their_children_and_knows_host_cgroups()
    {
        var a = tree.Add("/docker/" + A);
        var aChild = tree.Add("/docker/" + A + "/init");
        var b = tree.Add("/system.slice/docker-" + B + ".scope");
        var cron = tree.Add("/system.slice/cron.service");
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();

        Assert.Equal(CgroupLookup.Container, index.Lookup(a, out var id));
        Assert.Equal(A, id);
        Assert.Equal(CgroupLookup.Container, index.Lookup(aChild, out id));
        Assert.Equal(A, id);
        Assert.Equal(CgroupLookup.Container, index.Lookup(b, out id));
        Assert.Equal(B, id);
        Assert.Equal(CgroupLookup.Host, index.Lookup(cron, out _));
        Assert.Equal(CgroupLookup.Unknown, index.Lookup(999_999_999, out _));
    }

    [Fact]
    public void A_restarted_container_gets_a_new_cgroup_id_found_by_a_targeted_scan()
    {
        var first = tree.Add("/docker/" + A);
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();
        tree.Retire("/docker/" + A);
        var second = tree.Add("/docker/" + A);
        Assert.NotEqual(first, second);
        Assert.Equal(CgroupLookup.Unknown, index.Lookup(second, out _));

        index.RequestScan();
        time.Advance(TimeSpan.FromMilliseconds(1)); // too soon for a full walk: the targeted scan must do it
        Assert.Null(index.Refresh());
        Assert.Equal(CgroupLookup.Container, index.Lookup(second, out var id));
        Assert.Equal(A, id);
        Assert.Equal(1, index.FullScans);
    }

    [Fact]
    public void A_miss_outside_containers_becomes_host_after_a_rate_limited_full_walk()
    {
        tree.Add("/docker/" + A);
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();
        var late = tree.Add("/user.slice/session-9.scope");
        index.NoteMiss(late);

        var wait = index.Refresh();
        Assert.NotNull(wait); // the last full walk was just now
        Assert.Equal(CgroupLookup.Unknown, index.Lookup(late, out _));

        time.Advance(wait!.Value);
        Assert.Null(index.Refresh());
        Assert.Equal(CgroupLookup.Host, index.Lookup(late, out _));
        Assert.Equal(2, index.FullScans);

        index.NoteMiss(123_456_789); // a cgroup that no longer exists
        time.Advance(CgroupIndex.MinFullScanInterval);
        Assert.Null(index.Refresh());
        Assert.Equal(CgroupLookup.Host, index.Lookup(123_456_789, out _));
    }

    [Fact]
    public void A_new_parent_directory_is_found_by_the_full_walk_then_scanned_cheaply()
    {
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();
        var nested = tree.Add("/machine.slice/docker/" + A);
        index.NoteMiss(nested);
        time.Advance(CgroupIndex.MinFullScanInterval);
        Assert.Null(index.Refresh());
        Assert.Equal(CgroupLookup.Container, index.Lookup(nested, out _));

        var next = tree.Add("/machine.slice/docker/" + B);
        index.RequestScan();
        Assert.Null(index.Refresh());
        Assert.Equal(CgroupLookup.Container, index.Lookup(next, out var id));
        Assert.Equal(B, id);
        Assert.Equal(2, index.FullScans);
    }

    [Fact]
    public void Forget_drops_a_destroyed_containers_cgroups()
    {
        var a = tree.Add("/docker/" + A);
        var index = new CgroupIndex(tree.Root, time);
        index.FullScan();
        index.Forget(A);
        Assert.Equal(CgroupLookup.Unknown, index.Lookup(a, out _));
    }
}
