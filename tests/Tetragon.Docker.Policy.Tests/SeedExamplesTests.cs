namespace Tetragon.Docker.Policy.Tests;

/// <summary>
/// The TracingPolicy examples from the seed articles, as printed there. Valid ones load; the
/// ones the articles got wrong (lost indentation, tabs, empty argSig, a made-up kind) are
/// rejected at the right place. Fixed copies of the valid ones live under policies/.
/// </summary>
public sealed class SeedExamplesTests
{
    private const string Wrap = """
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "seed-fragment"

        """;

    public static TheoryData<string, string> ValidSeeds => new()
    {
        { "004 sys_openat /etc/passwd fragment", Wrap + """
            spec:
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 0
                  type: int
                - index: 1
                  type: "string"
                - index: 2
                  type: "int"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Equal"
                    values:
                    - "/etc/passwd"
                    - "/etc/shadow"
            """ },
        { "004 do_mkdirat fragment", Wrap + """
            spec:
              kprobes:
              - call: "do_mkdirat"
                syscall: false
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "filename"
                - index: 2
                  type: "int"
            """ },
        { "004 Post with rate limit and stack traces", Wrap + """
            spec:
              kprobes:
              - call: "sys_openat"
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Equal"
                    values:
                    - "/etc/passwd"
                  matchActions:
                  - action: Post
                    rateLimit: 5m
                    kernelStackTrace: true
                    userStackTrace: true
            """ },
        { "004 GetUrl and DnsLookup", Wrap + """
            spec:
              kprobes:
              - call: "sys_openat"
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchActions:
                  - action: GetUrl
                    argUrl: http://example.com/trigger
                - matchActions:
                  - action: DnsLookup
                    argFqdn: canary.example.com
            """ },
        { "004 Override argError -1", Wrap + """
            spec:
              kprobes:
              - call: "sys_openat"
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchActions:
                  - action: Override
                    argError: -1
            """ },
    };

    public static TheoryData<string, string, string> InvalidSeeds => new()
    {
        {
            "000 monitor-network-activity-outside-cluster, flattened as printed",
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
            name: "monitor-network-activity-outside-cluster"
            spec:
            kprobes:
            - call: "tcp_connect"
            syscall: false
            """,
            "name"
        },
        {
            "004 do_mkdirat with tab-indented returnArg",
            Wrap + "spec:\n  kprobes:\n  - call: \"do_mkdirat\"\n    syscall: false\n    return: true\n    args:\n    - index: 0\n      type: \"int\"\n\treturnArg:\n\t  index: 0\n\t  type: \"int\"\n",
            "spec.kprobes[0].args[0].type"
        },
        {
            "004 FollowFD example with a mis-indented type",
            Wrap + """
            spec:
              kprobes:
              - call: "sys_close"
                syscall: true
                args:
                - index: 0
                   type: "int"
            """,
            "spec.kprobes[0].args[0].index"
        },
    };

    [Theory]
    [MemberData(nameof(ValidSeeds))]
    public void Valid_seed_example_loads(string name, string yaml)
    {
        var result = TracingPolicyLoader.Load(yaml, name);

        Assert.True(result.Success, result.ToString());
    }

    [Theory]
    [MemberData(nameof(InvalidSeeds))]
    public void Broken_seed_example_is_rejected(string name, string yaml, string expectedPath)
    {
        var result = TracingPolicyLoader.Load(yaml, name);

        Assert.False(result.Success);
        Assert.True(result.Errors.Any(e => e.Path == expectedPath), string.Join("\n", result.Errors));
    }
}
