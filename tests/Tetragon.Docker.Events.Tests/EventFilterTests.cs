using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Tests;

public sealed class EventFilterTests
{
    private static EventFilter Allow(params Filter[] filters)
    {
        var request = new GetEventsRequest();
        request.AllowList.AddRange(filters);
        return EventFilter.Compile(request);
    }

    private static Filter F(Action<Filter> set)
    {
        var f = new Filter();
        set(f);
        return f;
    }

    private static readonly GetEventsResponse CurlExec = TestEvents.Exec(
        TestEvents.Proc("/usr/bin/curl", "-I https://ebpf.io", 100, container: "web"),
        TestEvents.Proc("/bin/bash", "", 50, container: "web"));

    private static readonly GetEventsResponse HostLsExec = TestEvents.Exec(TestEvents.Proc("/usr/bin/ls", "-la", 7));

    [Fact]
    public void EmptyRequest_AllowsAll()
    {
        var filter = EventFilter.Compile(new GetEventsRequest());
        Assert.True(filter.IsAllowAll);
        Assert.True(filter.Matches(CurlExec));
        Assert.True(filter.Matches(new GetEventsResponse { Test = new Test() }));
    }

    [Fact]
    public void BinaryRegex_AnyOfList()
    {
        var filter = Allow(F(f => f.BinaryRegex.Add(["^/usr/bin/wget$", "curl"])));
        Assert.True(filter.Matches(CurlExec));
        Assert.False(filter.Matches(HostLsExec));
    }

    [Fact]
    public void FieldsInsideOneFilter_AreAnded_FiltersAreOred()
    {
        var anded = Allow(F(f =>
        {
            f.BinaryRegex.Add("curl");
            f.EventSet.Add(EventType.ProcessExit);
        }));
        Assert.False(anded.Matches(CurlExec));

        var ored = Allow(F(f => f.BinaryRegex.Add("curl")), F(f => f.Pid.Add(7)));
        Assert.True(ored.Matches(CurlExec));
        Assert.True(ored.Matches(HostLsExec));
    }

    [Fact]
    public void DenyList_Excludes()
    {
        var request = new GetEventsRequest();
        request.DenyList.Add(F(f => f.BinaryRegex.Add("ls$")));
        var filter = EventFilter.Compile(request);
        Assert.True(filter.Matches(CurlExec));
        Assert.False(filter.Matches(HostLsExec));
    }

    [Fact]
    public void PidAndPidSet()
    {
        Assert.True(Allow(F(f => f.Pid.Add(100))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.Pid.Add(50))).Matches(CurlExec));
        Assert.True(Allow(F(f => f.PidSet.Add(50))).Matches(CurlExec));
    }

    [Fact]
    public void EventSet()
    {
        var filter = Allow(F(f => f.EventSet.Add(EventType.ProcessExit)));
        Assert.False(filter.Matches(CurlExec));
        Assert.True(filter.Matches(TestEvents.Exit(TestEvents.Proc("/bin/true"))));
    }

    [Fact]
    public void ArgumentsAndParentBinaryRegex()
    {
        Assert.True(Allow(F(f => f.ArgumentsRegex.Add("ebpf\\.io"))).Matches(CurlExec));
        Assert.True(Allow(F(f => f.ParentBinaryRegex.Add("^/bin/bash$"))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.ParentBinaryRegex.Add("zsh"))).Matches(CurlExec));
    }

    [Fact]
    public void PolicyNames()
    {
        var filter = Allow(F(f => f.PolicyNames.Add("file-monitoring")));
        Assert.True(filter.Matches(TestEvents.Kprobe(TestEvents.Proc("/bin/cat"), "fd_install", "file-monitoring")));
        Assert.False(filter.Matches(TestEvents.Kprobe(TestEvents.Proc("/bin/cat"), "fd_install", "other")));
        Assert.False(filter.Matches(CurlExec));
    }

    [Fact]
    public void ContainerIdPrefixAndContainerNameRegex()
    {
        Assert.True(Allow(F(f => f.ContainerId.Add("0123456789ab"))).Matches(CurlExec));
        Assert.True(Allow(F(f => f.ContainerId.Add("0123456789abcdef0123456789abcdef"))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.ContainerId.Add("fedcba"))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.ContainerId.Add("0123"))).Matches(HostLsExec));

        Assert.True(Allow(F(f => f.ContainerNameRegex.Add("^we"))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.ContainerNameRegex.Add("^db$"))).Matches(CurlExec));
        Assert.False(Allow(F(f => f.ContainerNameRegex.Add(".*"))).Matches(HostLsExec));
    }

    [Fact]
    public void Labels_OnContainerLabels()
    {
        var process = TestEvents.Proc("/bin/sh", container: "web");
        process.Container.Labels["app"] = "shop";
        process.Container.Labels["tier"] = "front";
        var ev = TestEvents.Exec(process);

        Assert.True(Allow(F(f => f.Labels.Add("app=shop,tier"))).Matches(ev));
        Assert.False(Allow(F(f => f.Labels.Add("app=shop,tier!=front"))).Matches(ev));
        Assert.True(Allow(F(f => f.Labels.Add("!missing"))).Matches(ev));
        Assert.False(Allow(F(f => f.Labels.Add("!missing"))).Matches(HostLsExec));
    }

    [Fact]
    public void Namespace_EmptyMeansHost()
    {
        var host = Allow(F(f => f.Namespace.Add("")));
        Assert.True(host.Matches(HostLsExec));
        Assert.False(host.Matches(CurlExec));
    }

    [Fact]
    public void NamespaceRegex_MatchesThePodsNamespaceOrEmptyForTheHost()
    {
        var pod = TestEvents.Exec(TestEvents.Proc("/usr/bin/curl", "", 9));
        pod.ProcessExec.Process.Pod = new Pod { Namespace = "kube-system", Name = "dns" };
        Assert.True(Allow(F(f => f.NamespaceRegex.Add("^kube-"))).Matches(pod));
        Assert.False(Allow(F(f => f.NamespaceRegex.Add("^default$"))).Matches(pod));
        Assert.True(Allow(F(f => f.NamespaceRegex.Add("^$"))).Matches(HostLsExec));
        Assert.False(Allow(F(f => f.NamespaceRegex.Add(".*"))).Matches(CurlExec)); // a Docker container has no namespace
        var ex = Assert.Throws<ArgumentException>(() => Allow(F(f => f.NamespaceRegex.Add("(x"))));
        Assert.StartsWith("allow_list[0].namespace_regex[0]: invalid regular expression", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamespaceRegex_IsReadFromTetragonsJsonFilterForm()
    {
        var filters = FilterList.Parse("{\"namespace_regex\":[\"^$\"]}", "--export-allowlist");
        Assert.Equal(["^$"], Assert.Single(filters).NamespaceRegex);
    }

    [Fact]
    public void InvalidRegex_NamesTheField()
    {
        var request = new GetEventsRequest();
        request.AllowList.Add(new Filter());
        request.AllowList.Add(F(f => f.BinaryRegex.Add(["ok", "(unclosed"])));
        var ex = Assert.Throws<ArgumentException>(() => EventFilter.Compile(request));
        Assert.StartsWith("allow_list[1].binary_regex[1]: invalid regular expression \"(unclosed\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CelExpression_InTheDenyListKeepsOutWhatItMatches_AndABadOneIsRejectedByPlace()
    {
        var request = new GetEventsRequest();
        request.DenyList.Add(F(f => f.CelExpression.Add("process_exec.process.binary.endsWith('/true')")));
        var filter = EventFilter.Compile(request);
        Assert.False(filter.Matches(TestEvents.Exec(TestEvents.Proc("/usr/bin/true"))));
        Assert.True(filter.Matches(TestEvents.Exec(TestEvents.Proc("/usr/bin/env"))));

        request.DenyList[0].CelExpression.Add("process_exec.process.binary");
        var ex = Assert.Throws<ArgumentException>(() => EventFilter.Compile(request));
        Assert.StartsWith("deny_list[0].cel_expression[1]: the expression is a string, not a bool", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_Any()
    {
        var process = TestEvents.Proc("/bin/sh");
        process.Cap = new Capabilities();
        process.Cap.Effective.Add(CapabilitiesType.CapSysAdmin);
        var filter = Allow(F(f => f.Capabilities = new CapFilter { Effective = new CapFilterSet { Any = { CapabilitiesType.CapSysAdmin } } }));
        Assert.True(filter.Matches(TestEvents.Exec(process)));
        Assert.False(filter.Matches(HostLsExec));
    }
}
