using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ContainerScopesTests : IDisposable
{
    private const string Web = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Db = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly FakeCgroupTree tree = new();
    private readonly DockerContainerResolver resolver;
    private readonly HashSet<(uint, ulong)> kernel = [];
    private readonly ContainerScopes scopes;
    private readonly ulong web;
    private readonly ulong webChild;
    private readonly ulong db;

    public ContainerScopesTests()
    {
        web = tree.Add("/system.slice/docker-" + Web + ".scope");
        webChild = tree.Add("/system.slice/docker-" + Web + ".scope/worker"); // a cgroup the container made itself
        db = tree.Add("/system.slice/docker-" + Db + ".scope");
        tree.Add("/user.slice");
        var index = new CgroupIndex(tree.Root, new ManualTime());
        index.FullScan();
        resolver = new DockerContainerResolver(index, new ContainerCache(), new AgentCounters()) { DockerReachable = true };
        resolver.Cache.Set(Info(Web, "shop-web", "web"));
        resolver.Cache.Set(Info(Db, "shop-db", "db"));
        scopes = new ContainerScopes(resolver, (scope, cgroup, add) =>
        {
            lock (kernel)
            {
                Write(scope, cgroup, add);
            }
        });
    }

    private void Write(uint scope, ulong cgroup, bool add)
    {
        {
            if (add)
            {
                Assert.True(kernel.Add((scope, cgroup)), "added twice");
            }
            else
            {
                Assert.True(kernel.Remove((scope, cgroup)), "deleted what was not there");
            }
        }
    }

    public void Dispose()
    {
        scopes.Dispose();
        tree.Dispose();
    }

    private static ContainerInfo Info(string id, string name, string app) =>
        new(id, name, "shop:1", "sha256:1", new Dictionary<string, string> { ["app"] = app }, null, 1);

    private static ContainerScope Labels(string app) =>
        new(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } }, null);

    [Fact]
    public void A_scope_lists_every_cgroup_of_the_containers_it_selects_and_no_host_cgroup()
    {
        scopes.Add(7, Labels("web"));
        Assert.Equal([(7u, web), (7u, webChild)], kernel.Order());

        scopes.Add(8, new ContainerScope(null, new LabelSelector { MatchLabels = new Dictionary<string, string> { ["name"] = "shop-db" } }));
        Assert.Contains((8u, db), kernel);
        Assert.Equal(3, scopes.Entries);
    }

    [Fact]
    public void A_container_being_fetched_again_keeps_its_entries_until_the_answer()
    {
        scopes.Add(7, Labels("web"));
        resolver.Apply(new ContainerEvent("rename", Web, "shop-web2")); // metadata invalidated, refetch queued
        scopes.Refresh();
        Assert.Contains((7u, web), kernel); // no gap while Docker is asked

        resolver.Cache.Set(Info(Web, "shop-web2", "api")); // the answer: labels changed
        scopes.Refresh();
        Assert.DoesNotContain((7u, web), kernel);
        Assert.Equal(0, scopes.Entries);
    }

    [Fact]
    public void A_destroyed_container_and_a_removed_scope_leave_nothing_behind()
    {
        scopes.Add(7, Labels("web"));
        scopes.Add(9, Labels("db"));
        resolver.Apply(new ContainerEvent("destroy", Db, "shop-db"));
        scopes.Refresh();
        Assert.DoesNotContain((9u, db), kernel);

        scopes.Remove(7);
        Assert.Empty(kernel);
    }

    [Fact]
    public void A_container_that_starts_later_joins_its_scope()
    {
        scopes.Add(7, Labels("web"));
        const string Late = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
        var late = tree.Add("/system.slice/docker-" + Late + ".scope");
        resolver.Apply(new ContainerEvent("start", Late, "shop-web-2"));
        resolver.Index.Refresh(); // the cgroup refresher's turn
        resolver.Cache.Set(Info(Late, "shop-web-2", "web")); // the inspect's answer
        scopes.Refresh();
        Assert.Contains((7u, late), kernel);
    }

    [Fact]
    public void The_watchers_word_puts_a_new_container_in_scope_at_once()
    {
        scopes.Add(7, Labels("web"));
        const string Late = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
        var late = tree.Add("/system.slice/docker-" + Late + ".scope");
        resolver.Index.ScanContainerParents();
        resolver.Cache.Set(Info(Late, "shop-web-3", "web"));
        resolver.NotifyChanged(); // what the watcher says after an inspect: no timer to wait for
        Assert.True(Has((7u, late)));
    }

    [Fact]
    public async Task A_loaded_scope_follows_the_containers_by_itself()
    {
        scopes.Add(7, Labels("db"));
        resolver.Cache.Set(Info(Web, "shop-web", "db")); // relabelled (a recreate with new labels)
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && !Has((7u, web)))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(Has((7u, web)), "the timer did not pick up the change");
    }

    private bool Has((uint, ulong) key)
    {
        lock (kernel)
        {
            return kernel.Contains(key);
        }
    }
}
