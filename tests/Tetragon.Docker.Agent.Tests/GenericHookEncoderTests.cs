using System.Buffers.Binary;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Policy;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Tests;

public sealed class GenericHookEncoderTests
{
    private const string MkdirKill = """
        apiVersion: cilium.io/v1alpha1
        kind: TracingPolicy
        metadata:
          name: "t"
        spec:
          kprobes:
          - call: "sys_mkdirat"
            syscall: true
            args:
            - index: 1
              type: "string"
            - index: 2
              type: "int"
            selectors:
            - matchArgs:
              - index: 1
                operator: "Prefix"
                values: ["/forbidden/"]
              - index: 2
                operator: "Equal"
                values: ["-1", "0755"]
              matchBinaries:
              - operator: "Postfix"
                values: ["/mkdir"]
              matchPIDs:
              - operator: NotIn
                followForks: true
                values: [1]
              matchActions:
              - action: Sigkill
        """;

    /// <summary>A policy named "t" with this text under <c>spec:</c> (indented by two spaces), compiled.</summary>
    private static PolicyPlan Spec(string spec) =>
        TracingPolicyLoader.Load("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: \"t\"\nspec:\n" + spec, "t").EnsureSuccess();

    [Fact]
    public void EncodesArgsSelectorsAndActionsInTheKernelLayout()
    {
        var plan = TracingPolicyLoader.Load(MkdirKill, "t").EnsureSuccess();
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 7, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        var c = hook.Config;
        Assert.Equal(L.HookSize, c.Length);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(c));
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(4)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(8)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(16)));
        Assert.Equal([L.TypeString, 1], c.AsSpan(L.HookArgs, 2).ToArray());
        Assert.Equal([L.TypeS32, 2], c.AsSpan(L.HookArgs + L.ArgSize, 2).ToArray());

        var sel = c.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal([2, 0, 1, 1, 1], sel[..5].ToArray());
        Assert.Equal([L.OpPrefix, 0, L.KindString], sel.Slice(L.SelArgs, 3).ToArray());
        Assert.Equal([L.OpEqual, 1, L.KindSigned], sel.Slice(L.SelArgs + L.FilterSize, 3).ToArray());
        Assert.Equal(L.OpPostfix, sel[L.SelBinOps]);
        Assert.Equal([L.OpNotIn, 1, 0, 1], sel.Slice(L.SelPids, 4).ToArray());
        Assert.Equal(L.ActionSigkill, sel[L.SelActions]);
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(sel[(L.SelActions + 4)..]));

        // Prefix: no NUL; the binary postfix reversed; the int values sign-extended.
        Assert.Contains(hook.StringKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.StringKey(L.FilterId(7, 0, 0), "/forbidden/"u8, exact: false, reverse: false)));
        Assert.Contains(hook.StringKeys, k => k.AsSpan(8, 6).SequenceEqual("ridkm/"u8));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(7, 0, 1), ulong.MaxValue)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(7, 0, L.SlotPid), 1)));
    }

    [Fact]
    public void SockaddrArgAndItsFiltersAreEncodedForTheKernel()
    {
        var plan = Spec("""
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
                    operator: "SAddr"
                    values: ["127.0.0.0/8", "::1"]
                  - index: 1
                    operator: "Family"
                    values: ["AF_INET6"]
                  - index: 1
                    operator: "NotSPortPriv"
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 3, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        Assert.Equal([L.TypeSockaddr, 1], hook.Config.AsSpan(L.HookArgs + L.ArgSize, 2).ToArray());
        Assert.Equal(L.TypeSockaddr, hook.Args[1].KernelType);
        var sel = hook.Config.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal(4, sel[0]);

        // SPort: the single port in gen_numbers, the range packed first | last << 16 in the filter's values.
        var port = sel.Slice(L.SelArgs, L.FilterSize);
        Assert.Equal([L.OpSPort, 1, L.KindSockaddr, 1], port[..4].ToArray());
        Assert.Equal(9000UL | (9100UL << 16), BinaryPrimitives.ReadUInt64LittleEndian(port[8..]));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(3, 0, 0), 8080)));

        // SAddr: LPM keys of filter id, family and address, the prefix over all three.
        Assert.Equal([L.OpSAddr, 1, L.KindSockaddr, 0], sel.Slice(L.SelArgs + L.FilterSize, 4).ToArray());
        var v4 = Assert.Single(hook.StringKeys, k => k[8] == L.AfInet);
        Assert.Equal(40u + 8, BinaryPrimitives.ReadUInt32LittleEndian(v4));
        Assert.Equal(L.FilterId(3, 0, 1), BinaryPrimitives.ReadUInt32BigEndian(v4.AsSpan(4)));
        Assert.Equal([127, 0, 0, 0], v4.AsSpan(9, 4).ToArray());
        var v6 = Assert.Single(hook.StringKeys, k => k[8] == L.AfInet6);
        Assert.Equal(40u + 128, BinaryPrimitives.ReadUInt32LittleEndian(v6));
        Assert.Equal(System.Net.IPAddress.IPv6Loopback.GetAddressBytes(), v6.AsSpan(9, 16).ToArray());

        // Family: the number in gen_numbers; the privileged-port operators take no values.
        Assert.Equal([L.OpFamily, 1, L.KindSockaddr], sel.Slice(L.SelArgs + (2 * L.FilterSize), 3).ToArray());
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(3, 0, 2), L.AfInet6)));
        Assert.Equal([L.OpNotSPortPriv, 1, L.KindSockaddr], sel.Slice(L.SelArgs + (3 * L.FilterSize), 3).ToArray());
    }

    [Fact]
    public void MoreSockaddrPortRangesThanTheKernelComparesAreRefused()
    {
        var ranges = string.Join(", ", Enumerable.Range(0, L.FilterValues + 1).Select(i => $"\"{1000 + (i * 10)}:{1005 + (i * 10)}\""));
        var plan = Spec($$"""
              kprobes:
              - call: "sys_bind"
                syscall: true
                args:
                - index: 1
                  type: "sockaddr"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "NotSPort"
                    values: [{{ranges}}]
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.StartsWith("spec.kprobes[0].selectors[0].matchArgs[0].values: more than 8 port ranges", StringComparison.Ordinal));
    }

    [Fact]
    public void StringKeyPrefixLengthCoversFilterIdAndBytes()
    {
        var exact = GenericHookEncoder.StringKey(0x01020304, "abc"u8, exact: true, reverse: false);
        Assert.Equal(L.StrKeySize, exact.Length);
        Assert.Equal(32u + (8 * 4), BinaryPrimitives.ReadUInt32LittleEndian(exact));
        Assert.Equal([1, 2, 3, 4, (byte)'a', (byte)'b', (byte)'c', 0], exact.AsSpan(4, 8).ToArray());
        Assert.Equal(32u + (8 * 3), BinaryPrimitives.ReadUInt32LittleEndian(GenericHookEncoder.StringKey(1, "abc"u8, exact: false, reverse: true)));
    }

    [Fact]
    public void KernelPointerArgsOfKernelFunctionsAreEncodedAsPathsAndFilteredAsStrings()
    {
        var plan = Spec("""
              kprobes:
              - call: "security_file_permission"
                syscall: false
                return: true
                args:
                - index: 0
                  type: "file"
                - index: 1
                  type: "path"
                - index: 2
                  type: "linux_binprm"
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Prefix"
                    values: ["/etc/"]
                  - index: 2
                    operator: "Postfix"
                    values: ["/sh"]
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 3, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        var c = hook.Config;
        Assert.Equal([L.TypeFile, 0], c.AsSpan(L.HookArgs, 2).ToArray());
        Assert.Equal([L.TypePath, 1], c.AsSpan(L.HookArgs + L.ArgSize, 2).ToArray());
        Assert.Equal([L.TypeLinuxBinprm, 2], c.AsSpan(L.HookArgs + (2 * L.ArgSize), 2).ToArray());
        Assert.Equal(L.TypeS32, c[20]); // the return type
        var sel = c.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal([L.OpPrefix, 0, L.KindString], sel.Slice(L.SelArgs, 3).ToArray());
        Assert.Equal([L.OpPostfix, 2, L.KindString], sel.Slice(L.SelArgs + L.FilterSize, 3).ToArray());
        Assert.Contains(hook.StringKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.StringKey(L.FilterId(3, 0, 0), "/etc/"u8, exact: false, reverse: false)));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("path")]
    [InlineData("linux_binprm")]
    [InlineData("cred")]
    [InlineData("dentry")]
    [InlineData("socket")]
    [InlineData("skb")]
    [InlineData("kernel_cap_t")]
    [InlineData("cap_effective")]
    [InlineData("user_namespace")]
    [InlineData("bpf_attr")]
    [InlineData("bpf_map")]
    [InlineData("module")]
    [InlineData("net_device")]
    public void KernelPointerTypesOnSyscallArgumentsAreRefusedNamingTheField(string type)
    {
        var plan = Spec($"""
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "{type}"
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.StartsWith($"spec.kprobes[0].args[0].type: {type} is a kernel pointer", StringComparison.Ordinal));
    }

    [Fact]
    public void KernelObjectArgumentsOfKernelFunctionsGetTheirOwnSlots()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "security_capset"
                syscall: false
                args:
                - index: 0
                  type: "cap_effective"
                - index: 1
                  type: "user_namespace"
                - index: 2
                  type: "bpf_attr"
                - index: 3
                  type: "bpf_map"
                - index: 4
                  type: "module"
            """);
        Assert.Equal([L.TypeKernelCap, L.TypeUserNs, L.TypeBpfAttr, L.TypeBpfMap, L.TypeModule], hook.Args.Select(a => a.KernelType));
    }

    [Fact]
    public void TheRestOfTetragonsKernelObjectTypesMapToTheirKernelReaders()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "security_bpf_prog"
                syscall: false
                args:
                - index: 0
                  type: "bpf_prog"
                - index: 1
                  type: "perf_event"
                - index: 2
                  type: "load_info"
                - index: 3
                  type: "kiocb"
                - index: 4
                  type: "iov_iter"
            """);
        Assert.Equal([L.TypeBpfProg, L.TypePerfEvent, L.TypeLoadInfo, L.TypeKiocb, L.TypeIovIter], hook.Args.Select(a => a.KernelType));
    }

    [Fact]
    public void ANopArgumentHoldsItsPlaceButIsNeitherReadNorReported()
    {
        // Tetragon's monitor-signed-kernel-modules policy: the module before the load_info is a nop.
        var hook = EncodeOne("""
              kprobes:
              - call: "find_module_sections"
                syscall: false
                args:
                - index: 0
                  type: "nop"
                - index: 1
                  type: "load_info"
                - index: 2
                  type: "string"
                selectors:
                - matchArgs:
                  - index: 2
                    operator: "Prefix"
                    values: ["x"]
            """);
        Assert.Equal([L.TypeLoadInfo, L.TypeString], hook.Args.Select(a => a.KernelType));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(hook.Config.AsSpan(8)));
        // Each captured argument takes the next slot and reads its own register; the filter names slot 1.
        Assert.Equal([L.TypeLoadInfo, 1], hook.Config.AsSpan(L.HookArgs, 2).ToArray());
        Assert.Equal([L.TypeString, 2], hook.Config.AsSpan(L.HookArgs + L.ArgSize, 2).ToArray());
        Assert.Equal([L.OpPrefix, 1, L.KindString], hook.Config.AsSpan(L.HookSels + L.SelArgs, 3).ToArray());
    }

    [Fact]
    public void CapabilityArgumentsAreFilteredByNameAsNumbers()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "cap_capable"
                syscall: false
                args:
                - index: 2
                  type: "capability"
                selectors:
                - matchArgs:
                  - index: 2
                    operator: "Equal"
                    values: ["CAP_SYS_ADMIN"]
            """);
        Assert.Equal(L.TypeCapability, hook.Args[0].KernelType);
        Assert.Equal([L.OpEqual, 0, L.KindSigned], hook.Config.AsSpan(L.HookSels + L.SelArgs, 3).ToArray());
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(1, 0, 0), 21)));
    }

    [Fact]
    public void KernelCapSetsAreFilteredAsUnsignedMasksAndNetDevicesAsText()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "security_capset"
                syscall: false
                args:
                - index: 2
                  type: "cap_effective"
                - index: 0
                  type: "net_device"
                selectors:
                - matchArgs:
                  - index: 2
                    operator: "Mask"
                    values: ["CAP_SYS_ADMIN"]
                  - index: 0
                    operator: "Prefix"
                    values: ["eth"]
            """);
        var caps = (byte)hook.Args.ToList().FindIndex(a => a.KernelType == L.TypeKernelCap);
        var device = (byte)hook.Args.ToList().FindIndex(a => a.KernelType == L.TypeNetDevice);
        Assert.Equal([L.OpMask, caps, L.KindUnsigned], hook.Config.AsSpan(L.HookSels + L.SelArgs, 3).ToArray());
        Assert.Equal(1UL << 21, BinaryPrimitives.ReadUInt64LittleEndian(hook.Config.AsSpan(L.HookSels + L.SelArgs + 8)));
        Assert.Equal([L.OpPrefix, device, L.KindString], hook.Config.AsSpan(L.HookSels + L.SelArgs + L.FilterSize, 3).ToArray());
    }

    [Theory]
    [InlineData("commit_creds", "cred")]
    [InlineData("bpf_check", "bpf_attr")]
    [InlineData("security_bpf_map_alloc", "bpf_map")]
    [InlineData("do_init_module", "module")]
    [InlineData("cap_capable", "user_namespace")]
    [InlineData("security_bpf_prog", "bpf_prog")]
    [InlineData("security_perf_event_alloc", "perf_event")]
    [InlineData("find_module_sections", "load_info")]
    public void KernelObjectsWithoutAFilterClassRefuseMatchArgsNamingThePath(string function, string type)
    {
        var result = TracingPolicyLoader.Load($"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "t"
            spec:
              kprobes:
              - call: "{function}"
                syscall: false
                args:
                - index: 0
                  type: "{type}"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Equal"
                    values: ["1"]
            """, "t");
        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Path.StartsWith("spec.kprobes[0].selectors[0].matchArgs[0]", StringComparison.Ordinal));
    }

    /// <summary>The first hook of a spec, encoded as hook 1 with no problem.</summary>
    private static EncodedHook EncodeOne(string spec)
    {
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(Spec(spec).Hooks[0], 1, 13, null, problems);
        Assert.Empty(problems);
        Assert.NotNull(hook);
        return hook;
    }

    [Fact]
    public void ADentryArgumentOnAKernelFunctionIsAPathFilteredAsText()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "security_inode_rmdir"
                syscall: false
                args:
                - index: 1
                  type: "dentry"
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Postfix"
                    values: ["secret"]
            """);
        Assert.Equal([L.TypeDentry, 1], hook.Config.AsSpan(L.HookArgs, 2).ToArray()); // captured from argument 1
        Assert.Equal([GenericHookEncoder.StringKey(L.FilterId(1, 0, 0), "secret"u8, exact: false, reverse: true)], hook.StringKeys);
    }

    [Fact]
    public void ASocketArgumentIsCapturedAndFilteredAsItsSock()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "security_socket_connect"
                syscall: false
                args:
                - index: 0
                  type: "socket"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "Protocol"
                    values: ["IPPROTO_TCP"]
            """);
        Assert.Equal(L.TypeSocket, hook.Config[L.HookArgs]);
        Assert.Equal(L.KindSock, hook.Config[L.HookSels + L.SelArgs + 2]);
    }

    [Fact]
    public void ACredArgumentOnAKernelFunctionIsCapturedWhole()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "commit_creds"
                syscall: false
                args:
                - index: 0
                  type: "cred"
            """);
        Assert.Equal(L.TypeCred, hook.Config[L.HookArgs]);
        Assert.Equal(L.TypeCred, hook.Args[0].KernelType);
    }

    [Fact]
    public void KernelFunctionKprobesNeedTheKprobePmu()
    {
        var plan = Spec("""
              kprobes:
              - call: "security_file_permission"
                syscall: false
                return: true
                returnArg:
                  index: 0
                  type: "int"
            """);
        var with = new Bpf.KernelFeatures(true, true, true, "test") { Kprobes = true, SendSignal = true };
        var without = with with { Kprobes = false };

        Assert.Empty(EngineSupport.Check(plan, with));
        var problem = Assert.Single(EngineSupport.Check(plan, without));
        Assert.Contains("security_file_permission", problem, StringComparison.Ordinal);
        Assert.Contains("CONFIG_KPROBES is off", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kprobes:\n  - call: \"sys_chdir\"\n    syscall: true", "__x64_sys_chdir", false, true)]
    [InlineData("kprobes:\n  - call: \"security_path_unlink\"\n    syscall: false", "security_path_unlink", false, false)]
    [InlineData("lsmhooks:\n  - hook: \"file_open\"", "file_open", true, false)]
    public void OverrideRunsTheHookAsATrampolineThatReturnsTheError(string hookYaml, string function, bool lsm, bool syscallRegs)
    {
        var plan = Spec($$"""
              {{hookYaml}}
                args:
                - index: 0
                  type: "int"
                selectors:
                - matchActions:
                  - action: Override
                    argError: -13
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 2, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        Assert.Equal(new Trampoline(lsm, function, syscallRegs), Trampoline.Of(plan.Hooks[0]));
        var action = hook.Config.AsSpan(L.HookSels + L.SelActions, L.ActionSize);
        Assert.Equal((byte)Api.KprobeAction.Override, action[0]); // the event reports the kernel's action as is
        Assert.Equal(-13, BinaryPrimitives.ReadInt32LittleEndian(action[4..]));
    }

    [Theory]
    [InlineData("argError: 5", "argError: 5 is not an error")]
    [InlineData("argError: -5000", "argError: -5000 is not an error")]
    public void AnOverrideErrorTheKernelCannotReturnIsRefused(string argError, string expected)
    {
        var plan = Spec($"""
              lsmhooks:
              - hook: "file_open"
                selectors:
                - matchActions:
                  - action: Override
                    {argError}
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.Contains("matchActions[0]." + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void OverrideWithReturnIsRefusedAndHooksWithoutOverrideStayKprobes()
    {
        var plan = Spec("""
              kprobes:
              - call: "security_path_unlink"
                syscall: false
                return: true
                returnArg:
                  index: 0
                  type: "int"
                selectors:
                - matchActions:
                  - action: Override
                    argError: -1
              - call: "security_path_mkdir"
                syscall: false
                selectors:
                - matchActions:
                  - action: Sigkill
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.Contains("cannot be combined with return: true", StringComparison.Ordinal));
        Assert.Null(Trampoline.Of(plan.Hooks[1]));
    }

    [Fact]
    public void NamespaceAndCapabilityFiltersAreEncodedWithHostNsResolved()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                selectors:
                - matchNamespaces:
                  - namespace: Mnt
                    operator: NotIn
                    values: ["host_ns", "4026532000"]
                  - namespace: User
                    operator: In
                    values: ["4026531837"]
                  matchCapabilities:
                  - type: Permitted
                    operator: In
                    values: ["CAP_SYS_ADMIN", "CAP_NET_RAW"]
            """);
        var host = new HostNamespaces([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]); // uts, ipc, mnt, ...
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 4, 13, null, problems, host);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        var sel = hook.Config.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal(2, sel[5]);
        Assert.Equal(1, sel[6]);
        Assert.Equal([L.OpNotIn, 2], sel.Slice(L.SelNs, 2).ToArray());                       // NS_MNT
        Assert.Equal([L.OpIn, 9], sel.Slice(L.SelNs + L.NsFilterSize, 2).ToArray());        // NS_USER
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(4, 0, L.SlotNs), 13)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(4, 0, L.SlotNs), 4026532000)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(4, 0, L.SlotNs + 1), 4026531837)));
        Assert.Equal([L.OpIn, 2], sel.Slice(L.SelCaps, 2).ToArray());                       // permitted
        Assert.Equal((1UL << 21) | (1UL << 13), BinaryPrimitives.ReadUInt64LittleEndian(sel[(L.SelCaps + 8)..]));
    }

    [Fact]
    public void ChangesFiltersTakeTheSlotsAfterTheirPlainKin()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                selectors:
                - matchNamespaces:
                  - namespace: Net
                    operator: In
                    values: ["4026531840"]
                  matchNamespaceChanges:
                  - operator: In
                    values: ["Mnt", "User"]
                  matchCapabilityChanges:
                  - type: Effective
                    operator: In
                    values: ["CAP_SYS_ADMIN"]
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 4, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        var sel = hook.Config.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal(2, sel[5]);
        Assert.Equal(1, sel[6]);
        Assert.Equal([L.OpIn, 5], sel.Slice(L.SelNs, 2).ToArray());                          // NS_NET, by inode
        Assert.Equal([L.OpIn, L.NsChanges], sel.Slice(L.SelNs + L.NsFilterSize, 2).ToArray());
        Assert.Equal((1 << 2) | (1 << 9), BinaryPrimitives.ReadUInt16LittleEndian(sel[(L.SelNs + L.NsFilterSize + 2)..])); // NS_MNT, NS_USER
        Assert.Equal([L.OpIn, 0, 1], sel.Slice(L.SelCaps, 3).ToArray());                   // effective, changes
        Assert.Equal(1UL << 21, BinaryPrimitives.ReadUInt64LittleEndian(sel[(L.SelCaps + 8)..]));
    }

    [Fact]
    public void IsNamespaceCapabilityCarriesTheHostsUserNamespace()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                selectors:
                - matchCapabilities:
                  - type: Effective
                    operator: In
                    isNamespaceCapability: true
                    values: ["CAP_SYS_ADMIN"]
                  matchCapabilityChanges:
                  - type: Effective
                    operator: In
                    values: ["CAP_NET_RAW"]
            """);
        var host = new HostNamespaces([11, 12, 13, 14, 15, 16, 17, 18, 19, 4026531837]);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 4, 13, null, problems, host);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        var sel = hook.Config.AsSpan(L.HookSels, L.SelectorSize);
        Assert.Equal(4026531837u, BinaryPrimitives.ReadUInt32LittleEndian(sel[(L.SelCaps + 4)..]));                     // namespace caps
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(sel[(L.SelCaps + L.CapFilterSize + 4)..]));          // any user namespace
    }

    [Fact]
    public void CapabilityChangesTrackOnlyTheEffectiveSetAndShareTheLimit()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                selectors:
                - matchCapabilities:
                  - type: Effective
                    operator: In
                    values: ["CAP_NET_RAW"]
                  - type: Effective
                    operator: In
                    values: ["CAP_SYS_PTRACE"]
                  matchCapabilityChanges:
                  - type: Permitted
                    operator: In
                    values: ["CAP_SYS_ADMIN"]
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 4, 13, null, problems));
        Assert.Contains(problems, p => p.Contains("matchCapabilities and matchCapabilityChanges: 3 entries", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("selectors[0].matchCapabilityChanges[0].type: only Effective is tracked for changes", StringComparison.Ordinal));
    }

    [Fact]
    public void SockArgumentFiltersCompareDestinationProtocolAndState()
    {
        var plan = Spec("""
              kprobes:
              - call: "tcp_connect"
                syscall: false
                args:
                - index: 0
                  type: "sock"
                selectors:
                - matchArgs:
                  - index: 0
                    operator: "DPort"
                    values: ["443", "8000:8080"]
                  - index: 0
                    operator: "NotDAddr"
                    values: ["127.0.0.0/8"]
                  - index: 0
                    operator: "Protocol"
                    values: ["IPPROTO_TCP"]
                  - index: 0
                    operator: "State"
                    values: ["TCP_SYN_SENT"]
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 5, 13, null, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        Assert.Equal(L.TypeSock, hook.Config[L.HookArgs]);
        var sel = hook.Config.AsSpan(L.HookSels, L.SelectorSize);
        var config = hook.Config;
        byte[] Filter(int i) => config.AsSpan(L.HookSels + L.SelArgs + (i * L.FilterSize), 4).ToArray();
        Assert.Equal([L.OpDPort, 0, L.KindSock, 1], Filter(0)); // one range in values[], 443 in gen_numbers
        Assert.Equal(8000UL | (8080UL << 16), BinaryPrimitives.ReadUInt64LittleEndian(sel[(L.SelArgs + 8)..]));
        Assert.Equal([L.OpNotDAddr, 0, L.KindSock], Filter(1)[..3]);
        Assert.Equal([L.OpProtocol, 0, L.KindSock], Filter(2)[..3]);
        Assert.Equal([L.OpState, 0, L.KindSock], Filter(3)[..3]);
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(5, 0, 0), 443)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(5, 0, 2), 6)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(5, 0, 3), 2)));
        Assert.Single(hook.StringKeys); // the network
    }

    [Fact]
    public void UnsupportedActionsAndArgTypesAreReportedWithTheirField()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                args:
                - index: 1
                  type: "auto"
                selectors:
                - matchActions:
                  - action: TrackSock
                    argSock: 1
            """);
        var problems = new List<string>();

        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.StartsWith("spec.kprobes[0].args[0].type: auto is not supported", StringComparison.Ordinal)); // auto is a tracepoint field's own type
        Assert.Contains(problems, p => p.StartsWith("spec.kprobes[0].selectors[0].matchActions[0].action: TrackSock", StringComparison.Ordinal));
    }

    [Fact]
    public void FdActionsAreTetragonsActionNumbersWithNothingForTheKernelToDo()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "sys_close"
                syscall: true
                args:
                - index: 0
                  type: "int"
                selectors:
                - matchActions:
                  - action: UnfollowFD
                    argFd: 0
                    argName: 0
                - matchActions:
                  - action: CopyFD
                    argFd: 0
                    argName: 0
            """);
        // KPROBE_ACTION_UNFOLLOWFD = 4, KPROBE_ACTION_COPYFD = 6: the event is posted under that name.
        Assert.Equal(L.ActionUnfollowFd, hook.Config[L.HookSels + L.SelActions]);
        Assert.Equal(L.ActionCopyFd, hook.Config[L.HookSels + L.SelectorSize + L.SelActions]);
        Assert.Equal(4, (int)Tetragon.Docker.Api.KprobeAction.Unfollowfd);
        Assert.Equal(6, (int)Tetragon.Docker.Api.KprobeAction.Copyfd);
    }

    [Fact]
    public void FollowChildrenTakesAKernelBitPerFilterAndNoStrings()
    {
        const string Selectors = """
              kprobes:
              - call: "sys_mkdir"
                syscall: true
                selectors:
                - matchBinaries:
                  - operator: In
                    values: ["/usr/sbin/sshd", "/usr/bin/sudo"]
                    followChildren: true
                - matchBinaries:
                  - operator: NotIn
                    values: ["/usr/bin/cron"]
                    followChildren: true
            """;
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(Spec(Selectors).Hooks[0], 1, 13, null, problems, followBits: new FollowChildrenBits(0b101)); // bits 0 and 2 held by other policies
        Assert.Empty(problems);
        Assert.NotNull(hook);
        Assert.Equal(L.BinFollow | 1, hook.Config[L.HookSels + L.SelBinOps]);                                         // the first free bit
        Assert.Equal(L.BinFollow | L.BinFollowNot | 3, hook.Config[L.HookSels + L.SelectorSize + L.SelBinOps]);      // NotIn, the next one
        Assert.Equal([1, 3], hook.Follow.Select(f => f.Bit));
        Assert.Equal(["/usr/sbin/sshd", "/usr/bin/sudo"], hook.Follow[0].Binaries);
        Assert.Equal(["/usr/bin/cron"], hook.Follow[1].Binaries);
        Assert.Empty(hook.StringKeys); // decided by the bit alone

        var prefix = Spec(Selectors.Replace("operator: NotIn", "operator: Prefix", StringComparison.Ordinal));
        Assert.Null(GenericHookEncoder.Encode(prefix.Hooks[0], 1, 13, null, problems));
        Assert.Equal(["spec.kprobes[0].selectors[1].matchBinaries[0].followChildren: only with operator In or NotIn (the binaries are exact paths)"], problems);
    }

    [Fact]
    public void FollowChildrenBitsRunOutAfterSixtyFour()
    {
        var bits = new FollowChildrenBits(ulong.MaxValue >> 1);
        Assert.Equal(63, bits.Allocate());
        Assert.Equal(-1, bits.Allocate());

        var plan = Spec("""
              kprobes:
              - call: "sys_mkdir"
                syscall: true
                selectors:
                - matchBinaries:
                  - operator: In
                    values: ["/usr/sbin/sshd"]
                    followChildren: true
            """);
        var problems = new List<string>();
        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems, followBits: new FollowChildrenBits(ulong.MaxValue)));
        Assert.Contains("all 64 followChildren filters of this agent are in use", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void StackTracesArePostFlagsOnKprobesOnly()
    {
        var plan = Spec("""
              kprobes:
              - call: "sys_openat"
                syscall: true
                selectors:
                - matchActions:
                  - action: Post
                    kernelStackTrace: true
              - call: "sys_close"
                syscall: true
                selectors:
                - matchActions:
                  - action: Post
                    userStackTrace: true
              tracepoints:
              - subsystem: "syscalls"
                event: "sys_enter_openat"
                selectors:
                - matchActions:
                  - action: Post
                    kernelStackTrace: true
                    userStackTrace: true
            """);
        var problems = new List<string>();

        var kernel = GenericHookEncoder.Encode(plan.Hooks[0], 1, 13, null, problems);
        Assert.NotNull(kernel);
        Assert.Equal(1, kernel.Config[L.HookSels + L.SelActions + 2]);
        Assert.Equal(0, kernel.Config[L.HookSels + L.SelActions + 3]);
        var user = GenericHookEncoder.Encode(plan.Hooks[1], 2, 13, null, problems);
        Assert.NotNull(user);
        Assert.Equal(0, user.Config[L.HookSels + L.SelActions + 2]);
        Assert.Equal(1, user.Config[L.HookSels + L.SelActions + 3]);
        Assert.Empty(problems);
        Assert.Null(GenericHookEncoder.Encode(plan.Hooks[2], 3, 14, TracepointFormat.Parse("syscalls", "sys_enter_openat", "name: sys_enter_openat\nformat:\n"), problems));
        Assert.Contains(problems, p => p.Contains("kernelStackTrace: only kprobes (process_kprobe) carry kernel_stack_trace", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("userStackTrace: only kprobes (process_kprobe) carry user_stack_trace", StringComparison.Ordinal));
    }

    [Fact]
    public void ACharIovecReadsTheCountFromItsSizeArgAndIsFilteredAsText()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "sys_writev"
                syscall: true
                args:
                - index: 1
                  type: "char_iovec"
                  sizeArgIndex: 3
                selectors:
                - matchArgs:
                  - index: 1
                    operator: "Prefix"
                    values: ["GET "]
            """);
        Assert.Equal([L.TypeCharIovec, 1, 2], hook.Config.AsSpan(L.HookArgs, 3).ToArray()); // type, register 1, count in register 2
        Assert.Equal([L.OpPrefix, 0, L.KindString], hook.Config.AsSpan(L.HookSels + L.SelArgs, 3).ToArray());

        var problems = new List<string>();
        Assert.Null(GenericHookEncoder.Encode(Spec("""
              kprobes:
              - call: "sys_writev"
                syscall: true
                args:
                - index: 1
                  type: "char_iovec"
            """).Hooks[0], 1, 13, null, problems));
        Assert.Contains(problems, p => p.StartsWith("spec.kprobes[0].args[0].sizeArgIndex: a char_iovec needs", StringComparison.Ordinal));
    }

    [Fact]
    public void AReturnCopyBufferTakesTheLastSlotAndKeepsItsPlaceInTheEvent()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "sys_read"
                syscall: true
                return: true
                args:
                - index: 0
                  type: "int"
                - index: 1
                  type: "char_buf"
                  sizeArgIndex: 3
                  returnCopy: true
                - index: 2
                  type: "size_t"
                returnArg:
                  index: 0
                  type: "int"
            """);
        // Read at the return, after the others: the kernel puts it last; the event keeps the policy's order.
        Assert.Equal([L.TypeS32, L.TypeU64, L.TypeCharBuf], hook.Args.Select(a => a.KernelType));
        Assert.Equal([0, 2, 1], hook.Args.Select(a => a.Position));
        Assert.False(hook.InPolicyOrder);
        Assert.Equal([L.TypeCharBuf, 1, 2, L.ArgReturnCopy], hook.Config.AsSpan(L.HookArgs + (2 * L.ArgSize), 4).ToArray());
        Assert.Equal(0, hook.Config[L.HookArgs + 3] & L.ArgReturnCopy);
    }

    [Fact]
    public void AReturnCopyIovecKeepsItsCountForTheReturn()
    {
        var hook = EncodeOne("""
              kprobes:
              - call: "sys_readv"
                syscall: true
                return: true
                args:
                - index: 1
                  type: "char_iovec"
                  sizeArgIndex: 3
                  returnCopy: true
                - index: 2
                  type: "int"
                returnArg:
                  index: 0
                  type: "int"
            """);
        Assert.Equal([L.TypeS32, L.TypeCharIovec], hook.Args.Select(a => a.KernelType));
        Assert.Equal([1, 0], hook.Args.Select(a => a.Position));
        // The segment count's register travels with it: the kernel reads it at entry for the return.
        Assert.Equal([L.TypeCharIovec, 1, 2, L.ArgReturnCopy], hook.Config.AsSpan(L.HookArgs + L.ArgSize, 4).ToArray());
    }

    [Theory]
    [InlineData("return: false", "type: \"char_buf\"", "the hook needs return: true")]
    [InlineData("return: true\n    returnArg: { index: 0, type: int }", "type: \"string\"", "returnCopy is only used with char_buf and char_iovec")]
    [InlineData("return: false", "type: \"char_iovec\"", "the hook needs return: true")]
    public void AReturnCopyTheKernelCannotHonourIsRefusedWithItsPath(string ret, string type, string message)
    {
        var result = TracingPolicyLoader.Load($"""
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "t"
            spec:
              kprobes:
              - call: "sys_read"
                syscall: true
                {ret}
                args:
                - index: 1
                  {type}
                  sizeArgIndex: 3
                  returnCopy: true
            """, "t");
        var problems = result.Errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        if (result.Success)
        {
            Assert.Null(GenericHookEncoder.Encode(result.Plan!.Hooks[0], 1, 13, null, problems));
        }

        Assert.True(problems.Any(p => p.StartsWith("spec.kprobes[0].args[0].returnCopy", StringComparison.Ordinal) && p.Contains(message, StringComparison.Ordinal)), string.Join(" | ", problems));
    }

    [Fact]
    public void ASyscall64IsTheRawSyscallsIdFilteredBySyscallName()
    {
        var plan = Spec("""
              tracepoints:
              - subsystem: "raw_syscalls"
                event: "sys_enter"
                args:
                - index: 4
                  type: "syscall64"
                selectors:
                - matchArgs:
                  - index: 4
                    operator: "Equal"
                    values: ["sys_uname", "59", "i386/sys_uname"]
            """);
        var format = TracepointFormat.Parse("raw_syscalls", "sys_enter", """
            name: sys_enter
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:long id;	offset:8;	size:8;	signed:1;
            	field:unsigned long args[6];	offset:16;	size:48;	signed:0;
            """);
        var problems = new List<string>();
        var hook = GenericHookEncoder.Encode(plan.Hooks[0], 1, 14, format, problems);

        Assert.Empty(problems);
        Assert.NotNull(hook);
        Assert.Equal(L.TypeSyscall64, hook.Args[0].KernelType);
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(hook.Config.AsSpan(L.HookArgs + 4))); // the id's offset in the record
        Assert.Equal([L.OpEqual, 0, L.KindUnsigned], hook.Config.AsSpan(L.HookSels + L.SelArgs, 3).ToArray());
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(1, 0, 0), 63))); // uname
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(1, 0, 0), 59)));
        Assert.Contains(hook.NumberKeys, k => k.AsSpan().SequenceEqual(GenericHookEncoder.NumberKey(L.FilterId(1, 0, 0), 0x80000000UL | 122))); // a 32-bit task's uname
    }

    [Theory]
    [InlineData(63UL, 63u, "x64")]
    [InlineData(0x80000000UL | 122, 122u, "i386")] // a 32-bit task's uname: bit 31 set in the kernel
    public void ASyscallIdNamesItsAbi(ulong value, uint id, string abi)
    {
        var s = GenericEventDecoder.SyscallIdOf(value);
        Assert.Equal((id, abi), (s.Id, s.Abi));
    }

    [Fact]
    public void TracepointFieldsComeFromTheFormatCountingCommonFields()
    {
        var format = TracepointFormat.Parse("syscalls", "sys_enter_openat", """
            name: sys_enter_openat
            format:
            	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
            	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
            	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
            	field:int common_pid;	offset:4;	size:4;	signed:1;

            	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
            	field:int dfd;	offset:16;	size:8;	signed:0;
            	field:const char * filename;	offset:24;	size:8;	signed:0;
            	field:__data_loc char[] name;	offset:32;	size:4;	signed:0;
            """);

        Assert.Equal(8, format.Fields.Count);
        Assert.Equal(new TracepointField("const char *", "filename", 24, 8, false), format.Fields[6]);
        Assert.True(format.Fields[6].IsCharPointer);
        Assert.True(format.Fields[7].IsDataLoc);
    }
}
