using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Tests;

/// <summary>Every example under policies/ is a policy a user can add as is.</summary>
public sealed class PolicyFilesTests
{
    public static TheoryData<string> Policies => TestData.FileNames("policies");

    [Theory]
    [MemberData(nameof(Policies))]
    public void Example_policy_loads(string fileName)
    {
        var result = TracingPolicyLoader.LoadFile(Path.Combine(TestData.Directory("policies"), fileName));

        Assert.True(result.Success, result.ToString());
        Assert.NotEmpty(result.Plan.Hooks);
        Assert.All(result.Plan.Hooks, hook => Assert.NotEmpty(hook.Requirements));
    }

    [Fact]
    public void Policies_directory_has_the_requested_examples()
    {
        var names = TestData.Files("policies").Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);

        foreach (var expected in new[] { "sys-mkdir-kill", "openat-shadow", "write-etc-binaries", "setuid-root", "uprobe-bash-readline" })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void Policy_names_are_unique_per_kind()
    {
        var keys = TestData.Files("policies")
            .Select(TracingPolicyLoader.LoadFile)
            .Where(r => r.Success)
            .Select(r => r.Plan!.Scope + "/" + r.Plan.Name)
            .ToList();

        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Uprobe_example_targets_bash_readline()
    {
        var plan = TracingPolicyLoader.LoadFile(Path.Combine(TestData.Directory("policies"), "uprobe-bash-readline.yaml")).EnsureSuccess();

        var hook = Assert.Single(plan.Hooks);
        Assert.Equal(HookKind.Uprobe, hook.Kind);
        var target = Assert.IsType<UprobeTarget>(hook.Target);
        Assert.Equal("/bin/bash", target.Path);
        Assert.Equal(["readline"], target.Symbols);
    }
}
