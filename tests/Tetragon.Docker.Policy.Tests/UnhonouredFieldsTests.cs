namespace Tetragon.Docker.Policy.Tests;

public sealed class UnhonouredFieldsTests
{
    [Theory]
    [InlineData("  loader: true\n", "spec.loader", "loader events")]
    [InlineData("  enforcers:\n  - calls: [\"sys_mkdir\"]\n", "spec.enforcers", "enforcer programs are not supported")]
    [InlineData("  kprobes:\n  - call: \"sys_read\"\n    syscall: true\n    return: true\n    returnArg: { index: 0, type: int }\n    returnArgAction: \"TrackSock\"\n", "spec.kprobes[1].returnArgAction", "TrackSock is not supported")]
    [InlineData("  lsmhooks:\n  - hook: \"file_open\"\n    args: [{ index: 0, type: file }]\n    selectors:\n    - matchActions:\n      - action: Post\n        imaHash: true\n", "spec.lsmhooks[0].selectors[0].matchActions[0].imaHash", "imaHash is not supported")]
    public void A_field_the_agent_would_ignore_is_refused_with_its_path(string extra, string path, string message)
    {
        var yaml = """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "t"
            spec:
              kprobes:
              - call: "sys_mkdir"
                syscall: true

            """;
        // A second kprobes list would be a duplicate key: fold the extra hook into the first.
        yaml = extra.StartsWith("  kprobes:", StringComparison.Ordinal) ? yaml + extra["  kprobes:\n".Length..] : yaml + extra;
        var result = TracingPolicyLoader.Load(yaml, "t");
        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void ReturnArgAction_Post_is_what_every_event_does_and_is_accepted()
    {
        var result = TracingPolicyLoader.Load("""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "t"
            spec:
              kprobes:
              - call: "sys_read"
                syscall: true
                return: true
                returnArg: { index: 0, type: int }
                returnArgAction: "Post"
            """, "t");
        Assert.True(result.Success, string.Join("; ", result.Errors));
    }
}
