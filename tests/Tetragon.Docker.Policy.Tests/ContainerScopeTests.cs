using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Tests;

public sealed class ContainerScopeTests
{
    private static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web", ["tier"] = "front" };

    private static LabelSelector Expr(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new LabelSelectorRequirement { Key = key, Operator = op, Values = values }] };

    [Theory]
    [InlineData("In", "web,api", true)]
    [InlineData("In", "api", false)]
    [InlineData("NotIn", "api", true)]
    [InlineData("NotIn", "web", false)]
    [InlineData("Exists", "", true)]
    [InlineData("DoesNotExist", "", false)]
    public void Expressions_follow_kubernetes_rules(string op, string values, bool selected)
    {
        var list = values.Length == 0 ? [] : values.Split(',');
        Assert.Equal(selected, ContainerScope.Selects(Expr("app", op, list), WebLabels));
    }

    [Fact]
    public void An_absent_label_is_NotIn_anything_and_not_In_anything()
    {
        Assert.True(ContainerScope.Selects(Expr("team", "NotIn", "x"), WebLabels));
        Assert.False(ContainerScope.Selects(Expr("team", "In", "x"), WebLabels));
        Assert.True(ContainerScope.Selects(Expr("team", "DoesNotExist"), WebLabels));
    }

    [Fact]
    public void MatchLabels_needs_every_pair_and_an_empty_selector_selects_all()
    {
        Assert.True(ContainerScope.Selects(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } }, WebLabels));
        Assert.False(ContainerScope.Selects(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "back" } }, WebLabels));
        Assert.True(ContainerScope.Selects(new LabelSelector(), WebLabels));
    }

    [Fact]
    public void Pod_labels_and_container_name_must_both_hold()
    {
        var scope = new ContainerScope(
            new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Expr("name", "In", "shop-web"));
        Assert.True(scope.Matches("shop-web", WebLabels));
        Assert.False(scope.Matches("shop-db", WebLabels));
        Assert.False(scope.Matches("shop-web", new Dictionary<string, string> { ["app"] = "db" }));
    }

    [Fact]
    public void A_namespaced_policy_applies_to_its_compose_project_and_with_no_namespace_to_default()
    {
        const string Yaml = """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicyNamespaced
            metadata:
              name: "ns"
              namespace: "shop"
            spec:
              podSelector:
                matchLabels:
                  app: "web"
              kprobes:
              - call: "sys_mkdir"
                syscall: true
            """;
        var scope = ContainerScope.Of(TracingPolicyLoader.Load(Yaml, "t").Plan!)!;
        Assert.Equal("shop", scope.Namespace);
        Assert.True(scope.Matches("shop-web-1", new Dictionary<string, string> { ["app"] = "web", [ContainerScope.NamespaceLabel] = "shop" }));
        Assert.False(scope.Matches("blog-web-1", new Dictionary<string, string> { ["app"] = "web", [ContainerScope.NamespaceLabel] = "blog" }));
        Assert.False(scope.Matches("web", WebLabels)); // not in any compose project
        Assert.False(scope.Matches("shop-db-1", new Dictionary<string, string> { ["app"] = "db", [ContainerScope.NamespaceLabel] = "shop" }));

        var unnamed = TracingPolicyLoader.Load(Yaml.Replace("  namespace: \"shop\"\n", "", StringComparison.Ordinal).Replace("  podSelector:\n    matchLabels:\n      app: \"web\"\n", "", StringComparison.Ordinal), "t").Plan!;
        Assert.Equal(ContainerScope.DefaultNamespace, ContainerScope.Of(unnamed)!.Namespace);
        Assert.Null(ContainerScope.Of(unnamed)!.Pod);
    }

    [Fact]
    public void A_policy_without_selectors_has_no_scope()
    {
        var plan = TracingPolicyLoader.Load("""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "scoped"
            spec:
              podSelector:
                matchLabels:
                  app: "web"
              kprobes:
              - call: "sys_mkdir"
                syscall: true
            """, "t").Plan!;
        Assert.Equal("web", ContainerScope.Of(plan)!.Pod!.MatchLabels["app"]);
        Assert.Null(ContainerScope.Of(plan with { PodSelector = null }));
    }
}
