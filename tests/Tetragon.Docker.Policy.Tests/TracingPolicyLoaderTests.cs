using System.Net;
using System.Text;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Tests;

public sealed class TracingPolicyLoaderTests
{
    private const string Header = """
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "test"
        spec:

        """;

    [Fact]
    public void Error_names_path_line_and_column()
    {
        var yaml = Header + """
              kprobes:
              - call: "sys_openat"
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Equal"
                    values: ["3"]
                  - index: 1
                    operator: "Equa"
                    values: ["/etc/shadow"]
            """;

        var result = TracingPolicyLoader.Load(yaml, "test.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.kprobes[0].selectors[0].matchArgs[1].operator", error.Path);
        Assert.Equal(19, error.Line);
        Assert.Equal(19, error.Column);
        Assert.Equal(
            "spec.kprobes[0].selectors[0].matchArgs[1].operator: unknown operator \"Equa\" (did you mean \"Equal\"?) (line 19, column 19)",
            error.ToString());
    }

    [Theory]
    [InlineData("", PolicyMode.Enforce)]
    [InlineData("  options:\n  - name: policy-mode\n    value: monitor\n", PolicyMode.Monitor)]
    [InlineData("  options:\n  - name: policy-mode\n    value: Enforce\n", PolicyMode.Enforce)]
    public void Policy_mode_comes_from_spec_options(string options, PolicyMode expected)
    {
        var result = TracingPolicyLoader.Load(Header + options + "  kprobes:\n  - call: \"sys_mkdir\"\n    syscall: true\n", "test.yaml");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Plan.Mode);
    }

    [Fact]
    public void An_unknown_policy_mode_is_named()
    {
        var result = TracingPolicyLoader.Load(Header + "  options:\n  - name: other\n    value: x\n  - name: policy-mode\n    value: dryrun\n  kprobes:\n  - call: \"sys_mkdir\"\n    syscall: true\n", "test.yaml");

        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.ToString().Contains("spec.options[1].value: policy-mode \"dryrun\" is not enforce or monitor", StringComparison.Ordinal));
    }

    [Fact]
    public void All_errors_are_collected()
    {
        var yaml = Header + """
              kprobes:
              - call: "sys_openat"
                bogus: 1
                args:
                - index: 1
                  type: "strin"
                selectors:
                - matchArgs:
                  - index: 4
                    operator: "Equal"
                    values: ["x"]
                  matchActions:
                  - action: Signal
                  - action: Post
                    rateLimit: "soon"
            """;

        var paths = TracingPolicyLoader.Load(yaml, null).Errors.Select(e => e.Path).ToList();

        Assert.Contains("spec.kprobes[0].bogus", paths);
        Assert.Contains("spec.kprobes[0].args[0].type", paths);
        Assert.Contains("spec.kprobes[0].selectors[0].matchArgs[0].index", paths);
        Assert.Contains("spec.kprobes[0].selectors[0].matchActions[0].argSig", paths);
        Assert.Contains("spec.kprobes[0].selectors[0].matchActions[1].rateLimit", paths);
    }

    [Fact]
    public void Syscall_names_are_normalized()
    {
        foreach (var call in new[] { "sys_openat", "__x64_sys_openat", "openat" })
        {
            var plan = TracingPolicyLoader.Load(Header + $"  kprobes:\n  - call: \"{call}\"\n", null).EnsureSuccess();
            var hook = Assert.Single(plan.Hooks);
            Assert.Equal(HookKind.Syscall, hook.Kind);
            Assert.Equal(new SyscallTarget("openat", 257, "__x64_sys_openat"), hook.Target);
        }
    }

    [Fact]
    public void Plan_has_typed_values_and_actions()
    {
        var yaml = Header + """
              kprobes:
              - call: "tcp_connect"
                syscall: false
                args:
                - index: 0
                  type: "sock"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "NotDAddr"
                    values: ["127.0.0.1", "10.42.0.0/16", "fd00::/8"]
                  - index: 0
                    operator: "DPort"
                    values: ["443", "8000:8080"]
                  matchPIDs:
                  - operator: NotIn
                    followForks: true
                    isNamespacePID: true
                    values: [1]
                  matchCapabilities:
                  - type: Effective
                    operator: In
                    values: ["CAP_SYS_ADMIN", "NET_RAW"]
                  matchActions:
                  - action: Signal
                    argSig: SIGTERM
                  - action: Post
                    rateLimit: "5m"
                    rateLimitScope: "global"
                    kernelStackTrace: true
              - call: "sys_setuid"
                args:
                - index: 0
                  type: "int"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "LT"
                    values: ["-1", "0x10"]
                  matchActions:
                  - action: Override
                    argError: -1
                  - action: Signal
                    argSig: 9
            """;

        var plan = TracingPolicyLoader.Load(yaml, null).EnsureSuccess();

        var connect = plan.Hooks[0];
        Assert.Equal(HookKind.KernelFunction, connect.Kind);
        Assert.Equal(new KernelFunctionTarget("tcp_connect"), connect.Target);
        var selector = Assert.Single(connect.Selectors);
        Assert.Equal(FilterOperator.NotDAddr, selector.MatchArgs[0].Operator);
        Assert.Equal(new CidrValue(IPAddress.Parse("127.0.0.1"), 32), selector.MatchArgs[0].Values[0]);
        Assert.Equal(new CidrValue(IPAddress.Parse("10.42.0.0"), 16), selector.MatchArgs[0].Values[1]);
        Assert.Equal(new CidrValue(IPAddress.Parse("fd00::"), 8), selector.MatchArgs[0].Values[2]);
        Assert.Equal([new PortRangeValue(443, 443), new PortRangeValue(8000, 8080)], selector.MatchArgs[1].Values);
        Assert.Equal(SetOperator.NotIn, selector.MatchPids[0].Operator);
        Assert.Equal([1u], selector.MatchPids[0].Pids);
        Assert.True(selector.MatchPids[0].FollowForks && selector.MatchPids[0].IsNamespacePid);
        Assert.Equal([21, 13], selector.MatchCapabilities[0].Capabilities);
        Assert.Equal((1UL << 21) | (1UL << 13), selector.MatchCapabilities[0].Mask);
        Assert.Equal(15, selector.Actions[0].Signal);
        Assert.Equal("SIGTERM", selector.Actions[0].SignalName);
        Assert.Equal(TimeSpan.FromMinutes(5), selector.Actions[1].RateLimit);
        Assert.Equal(RateLimitScope.Global, selector.Actions[1].RateLimitScope);
        Assert.Contains(connect.Requirements, r => r.AnyOf == KernelFeature.StackTrace);

        var setuid = plan.Hooks[1];
        Assert.Equal([new SignedValue(-1), new SignedValue(16)], setuid.Selectors[0].MatchArgs[0].Values);
        Assert.Equal(FilterOperator.LessThan, setuid.Selectors[0].MatchArgs[0].Operator);
        Assert.Equal(-1, setuid.Selectors[0].Actions[0].Error);
        Assert.Equal("SIGKILL", setuid.Selectors[0].Actions[1].SignalName);
        Assert.Contains(setuid.Requirements, r => r.AnyOf == (KernelFeature.KprobeOverride | KernelFeature.FmodRet));
    }

    [Fact]
    public void String_values_become_bytes()
    {
        var plan = TracingPolicyLoader.Load(Header + """
              kprobes:
              - call: "sys_openat"
                args:
                - index: 1
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Prefix"
                    values: ["/etc/é"]
            """, null).EnsureSuccess();

        var value = Assert.IsType<StringValue>(plan.Hooks[0].Selectors[0].MatchArgs[0].Values[0]);
        Assert.Equal(Encoding.UTF8.GetBytes("/etc/é"), value.Utf8.ToArray());
    }

    [Fact]
    public void Unsupported_features_name_policy_hook_and_feature()
    {
        var plan = TracingPolicyLoader.Load(Header + """
              lsmhooks:
              - hook: "file_open"
                args:
                - index: 0
                  type: "file"
                selectors:
                - matchActions:
                  - action: Sigkill
            """, null).EnsureSuccess();

        var messages = plan.FindUnsupported(KernelFeature.Kprobe | KernelFeature.SendSignal);

        var message = Assert.Single(messages);
        Assert.Contains("policy \"test\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.lsmhooks[0]", message, StringComparison.Ordinal);
        Assert.Contains("BPF LSM", message, StringComparison.Ordinal);
        Assert.Empty(plan.FindUnsupported(KernelFeature.BpfLsm | KernelFeature.SendSignal));
    }

    [Fact]
    public void Oversized_document_is_rejected_without_parsing()
    {
        var yaml = Header + "# " + new string('x', PolicyLimits.MaxDocumentBytes) + "\n";

        var error = Assert.Single(TracingPolicyLoader.Load(yaml, null).Errors);
        Assert.Equal("<document>", error.Path);
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[", 100_000)]
    [InlineData("{a: ", 50_000)]
    [InlineData("- ", 10_000)]
    public void Deep_nesting_is_an_error_not_a_crash(string opener, int depth)
    {
        var yaml = string.Concat(Enumerable.Repeat(opener, depth));

        var result = TracingPolicyLoader.Load(yaml, null);

        Assert.False(result.Success);
        Assert.All(result.Errors, e => Assert.NotEmpty(e.Path));
    }

    [Fact]
    public void Alias_bomb_is_bounded()
    {
        var builder = new StringBuilder(Header + "  kprobes:\n  - call: sys_setuid\n    args: [{index: 0, type: int}]\n    selectors: &s0\n    - matchArgs: [{index: 0, operator: Equal, values: [\"0\"]}]\n");
        builder.Append("  tracepoints: &t\n");
        for (var i = 0; i < 2000; i++)
        {
            builder.Append("  - {subsystem: a, event: b, selectors: *s0}\n");
        }

        builder.Append("  uprobes: [").Append(string.Join(", ", Enumerable.Repeat("{path: /bin/x, symbols: [a]}", 10))).Append("]\n");
        var result = TracingPolicyLoader.Load(builder.ToString(), null);

        Assert.False(result.Success);
    }

    [Fact]
    public void Uprobe_takes_symbols_or_offsets_not_both()
    {
        var both = TracingPolicyLoader.Load(Header + "  uprobes:\n  - path: /bin/x\n    symbols: [main]\n    offsets: [0x1140]\n", null);
        Assert.Contains(both.Errors, e => e.Path == "spec.uprobes[0].offsets" && e.Message.StartsWith("give symbols or offsets", StringComparison.Ordinal));

        var offsets = TracingPolicyLoader.Load(Header + "  uprobes:\n  - path: /bin/x\n    offsets: [0x1140, 4496]\n", null);
        Assert.True(offsets.Success, string.Join("; ", offsets.Errors));
    }

    [Fact]
    public void Unknown_top_level_field_suggests_a_name()
    {
        var yaml = Header.Replace("spec:", "spex:", StringComparison.Ordinal) + "  kprobes: []\n";

        var errors = TracingPolicyLoader.Load(yaml, null).Errors;

        Assert.Contains(errors, e => e.Path == "spex" && e.Message == "unknown field (did you mean \"spec\"?)" && e.Line == 5);
        Assert.Contains(errors, e => e.Path == "spec" && e.Message == "missing required field");
    }

    [Fact]
    public void EnsureSuccess_throws_PolicyException_with_every_error()
    {
        var result = TracingPolicyLoader.Load("apiVersion: x\n", "bad.yaml");

        var exception = Assert.Throws<PolicyException>(result.EnsureSuccess);
        Assert.Equal("bad.yaml", exception.SourceName);
        Assert.Equal(result.Errors, exception.Errors);
        Assert.Contains("apiVersion", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Syscall_list_expands_to_one_hook_per_syscall()
    {
        var plan = TracingPolicyLoader.Load(Header + """
              lists:
              - name: "dups"
                type: "syscalls"
                values: ["sys_dup", "sys_dup2", "__x64_sys_dup3"]
              kprobes:
              - call: "list:dups"
                args:
                - index: 0
                  type: "int"
            """, null).EnsureSuccess();

        Assert.Equal(["dup", "dup2", "dup3"], plan.Hooks.Select(h => ((SyscallTarget)h.Target).Name));
        Assert.Equal([32, 33, 292], plan.Hooks.Select(h => ((SyscallTarget)h.Target).Number));
    }

    [Fact]
    public void Namespaced_policy_keeps_its_scope()
    {
        var yaml = Header.Replace("kind: TracingPolicy", "kind: TracingPolicyNamespaced", StringComparison.Ordinal).Replace("name: \"test\"", "name: \"test\"\n  namespace: web", StringComparison.Ordinal)
            + "  kprobes:\n  - call: sys_setuid\n";

        var plan = TracingPolicyLoader.Load(yaml, null).EnsureSuccess();

        Assert.Equal(PolicyScope.Namespaced, plan.Scope);
        Assert.Equal("web", plan.Namespace);
    }

    [Fact]
    public void Sockaddr_arg_takes_saddr_sport_and_family_filters()
    {
        var plan = TracingPolicyLoader.Load(Header + """
              kprobes:
              - call: "sys_connect"
                syscall: true
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "sockaddr"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "SPort"
                    values: ["8080", "9000:9100"]
                  - index: 1
                    operator: "NotSAddr"
                    values: ["127.0.0.1", "fd00::/8"]
                  - index: 1
                    operator: "Family"
                    values: ["AF_INET", "AF_INET6"]
            """, null).EnsureSuccess();

        var hook = Assert.Single(plan.Hooks);
        Assert.Equal(new SyscallTarget("connect", 42, "__x64_sys_connect"), hook.Target);
        Assert.Equal(ArgType.Sockaddr, hook.Args[1].Type);
        var filters = Assert.Single(hook.Selectors).MatchArgs;
        Assert.Equal([new PortRangeValue(8080, 8080), new PortRangeValue(9000, 9100)], filters[0].Values);
        Assert.Equal([new CidrValue(IPAddress.Loopback, 32), new CidrValue(IPAddress.Parse("fd00::"), 8)], filters[1].Values);
        Assert.Equal([new UnsignedValue(2), new UnsignedValue(10)], filters[2].Values);
    }

    [Theory]
    [InlineData("DPort", "80")]
    [InlineData("DAddr", "127.0.0.1")]
    [InlineData("Protocol", "IPPROTO_TCP")]
    public void Sockaddr_arg_refuses_what_tetragon_refuses_with_its_field(string op, string value)
    {
        var result = TracingPolicyLoader.Load(Header + $$"""
              kprobes:
              - call: "sys_connect"
                syscall: true
                args:
                - index: 1
                  type: "sockaddr"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "{{op}}"
                    values: ["{{value}}"]
            """, null);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.kprobes[0].selectors[0].matchArgs[0].operator", error.Path);
        Assert.Contains($"operator {op} cannot filter arg 1 of type sockaddr", error.Message, StringComparison.Ordinal);
        Assert.Contains("SAddr", error.Message, StringComparison.Ordinal);
    }
}
