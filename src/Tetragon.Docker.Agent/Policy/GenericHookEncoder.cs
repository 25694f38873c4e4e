using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Agent.Sensors;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Encodes one compiled hook into the generic sensor's C layout (bpf/generic/generic.h):
/// the gen_hook config, the LPM keys of its string values and the hash keys of its
/// numbers and pids. Whatever the engine cannot do is reported, naming the field.
/// </summary>
internal static class GenericHookEncoder
{
    /// <param name="hostNamespaces">For host_ns in matchNamespaces; read from /proc when null and needed.</param>
    /// <param name="followBits">Where followChildren filters take their bits (the ones other policies hold are not free).</param>
    public static EncodedHook? Encode(HookPlan hook, uint hookId, byte op, TracepointFormat? format, List<string> problems, HostNamespaces? hostNamespaces = null, FollowChildrenBits? followBits = null)
    {
        var follow = new List<FollowFilter>();
        followBits ??= new FollowChildrenBits();
        var start = problems.Count;
        var config = new byte[L.HookSize];
        var strings = new List<byte[]>();
        var numbers = new List<byte[]>();
        var span = config.AsSpan();
        var args = new List<GenericArg>();

        // A nop argument holds a place in the policy (Tetragon's placeholder) and is neither read nor reported.
        var captured = hook.Args.Where(a => a.Type != ArgType.Nop).ToList();
        if (captured.Count > L.MaxArgs)
        {
            problems.Add($"{hook.SourcePath}.args: {captured.Count} arguments; this engine captures at most {L.MaxArgs}");
        }

        // A returnCopy buffer is read at the return, after the others: the kernel gives it the last slot.
        var order = Enumerable.Range(0, hook.Args.Count).Where(i => hook.Args[i].Type != ArgType.Nop)
            .OrderBy(i => hook.Args[i].ReturnCopy ? 1 : 0).ToList();
        foreach (var i in order)
        {
            if (args.Count >= L.MaxArgs)
            {
                break;
            }

            var a = hook.Args[i];
            var slot = args.Count;
            var path = $"{hook.SourcePath}.args[{i}]";
            if (a.ReturnCopy)
            {
                ReturnCopy(hook, a, path, problems);
            }

            var at = span.Slice(L.HookArgs + (slot * L.ArgSize), L.ArgSize);
            byte type;
            byte flags = 0;
            if (format is not null)
            {
                if (a.Index >= format.Fields.Count)
                {
                    problems.Add($"{path}.index: {a.Index} is out of range: tracepoint {format.Subsystem}/{format.Event} has {format.Fields.Count} fields");
                    continue;
                }

                var field = format.Fields[a.Index];
                type = TracepointType(a, field, path, problems);
                if (field.IsDataLoc)
                {
                    flags |= L.ArgKernelMem;
                }

                at[1] = (byte)slot;
                BinaryPrimitives.WriteUInt16LittleEndian(at[4..], (ushort)field.Offset);
                BinaryPrimitives.WriteUInt16LittleEndian(at[6..], (ushort)Math.Min(field.Size, 8));
            }
            else
            {
                type = KernelType(a.Type, a.TypeName, path, problems, hook.Kind is HookKind.KernelFunction or HookKind.Lsm);
                if (a.Index >= L.Slots)
                {
                    problems.Add($"{path}.index: {a.Index} is beyond the 6 register arguments");
                }

                at[1] = (byte)a.Index;
            }

            at[0] = type;
            at[2] = L.NoSizeArg;
            at[3] = (byte)(flags | (a.ReturnCopy ? L.ArgReturnCopy : 0));
            if (type == L.TypeCharIovec && a.SizeArgIndex is null)
            {
                problems.Add($"{path}.sizeArgIndex: a char_iovec needs the argument holding the iovec count (1-based, e.g. 3 for writev's iovcnt)");
            }

            if (a.SizeArgIndex is { } sizeArg)
            {
                at[2] = format is null ? (byte)sizeArg : (byte)Math.Max(0, order.FindIndex(j => hook.Args[j].Index == sizeArg));
            }

            args.Add(new GenericArg(a, type, hook.Args.Take(i).Count(x => x.Type != ArgType.Nop)));
        }

        var returnType = hook.Return ? KernelType(hook.ReturnArg?.Type ?? ArgType.Int, hook.ReturnArg?.TypeName ?? "int", $"{hook.SourcePath}.returnArg", problems, hook.Kind is HookKind.KernelFunction or HookKind.Lsm) : L.TypeS64;
        if (returnType is not (L.TypeS32 or L.TypeU32 or L.TypeS64 or L.TypeU64 or L.TypeS16 or L.TypeU16 or L.TypeS8 or L.TypeU8 or 0))
        {
            problems.Add($"{hook.SourcePath}.returnArg.type: only numeric return values are supported");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[0..], 1); // enabled
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], op);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)args.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], hook.Return ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)Math.Min(hook.Selectors.Count, L.MaxSelectors));
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], returnType);

        if (hook.Selectors.Count > L.MaxSelectors)
        {
            problems.Add($"{hook.SourcePath}.selectors: {hook.Selectors.Count} selectors; at most {L.MaxSelectors}");
        }

        for (var s = 0; s < Math.Min(hook.Selectors.Count, L.MaxSelectors); s++)
        {
            EncodeSelector(hook, hook.Selectors[s], s, hookId, args, returnType, span.Slice(L.HookSels + (s * L.SelectorSize), L.SelectorSize), strings, numbers, problems, ref hostNamespaces, follow, followBits);
        }

        return problems.Count == start ? new EncodedHook(hookId, config, strings, numbers, args, returnType) { Follow = follow } : null;
    }

    /// <summary>returnCopy: a char_buf or char_iovec of a hook with a return, one per hook (the kernel keeps one pointer for the return).</summary>
    private static void ReturnCopy(HookPlan hook, ArgDescriptor a, string path, List<string> problems)
    {
        if (!hook.Return)
        {
            problems.Add($"{path}.returnCopy: the buffer is read when the call returns: the hook needs return: true");
        }

        if (a.Type is not (ArgType.CharBuf or ArgType.CharIovec))
        {
            problems.Add($"{path}.returnCopy: supported on char_buf and char_iovec arguments (not {a.TypeName})");
        }

        if (hook.Args.Count(x => x.ReturnCopy) > 1)
        {
            problems.Add($"{path}.returnCopy: one argument per hook may be copied at the return");
        }
    }

    /// <summary>A copy of the config with the enabled and monitor flags set as given (enable, disable, policy-mode).</summary>
    public static byte[] WithState(byte[] config, bool enabled, bool monitor)
    {
        var copy = (byte[])config.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy, enabled ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(L.HookMonitor), monitor ? 1u : 0u);
        return copy;
    }

    private static void EncodeSelector(HookPlan hook, SelectorPlan sel, int s, uint hookId, List<GenericArg> args, byte returnType, Span<byte> at, List<byte[]> strings, List<byte[]> numbers, List<string> problems, ref HostNamespaces? hostNamespaces, List<FollowFilter> follow, FollowChildrenBits followBits)
    {
        var path = $"{hook.SourcePath}.selectors[{s}]";
        Limit(sel.MatchNamespaces.Count + sel.MatchNamespaceChanges.Count, L.MaxNsFilters, "matchNamespaces and matchNamespaceChanges");
        Limit(sel.MatchCapabilities.Count + sel.MatchCapabilityChanges.Count, L.MaxCapFilters, "matchCapabilities and matchCapabilityChanges");
        Unsupported(sel.ReturnActions.Count, "matchReturnActions");
        Limit(sel.MatchArgs.Count, L.MaxArgFilters, "matchArgs");
        Limit(sel.MatchReturnArgs.Count, L.MaxRetFilters, "matchReturnArgs");
        Limit(sel.MatchBinaries.Count, L.MaxBinFilters, "matchBinaries");
        Limit(sel.MatchPids.Count, L.MaxPidFilters, "matchPIDs");
        Limit(sel.Actions.Count, L.MaxActions, "matchActions");
        if (hook.Return && Trampoline.Of(hook) is { Lsm: false })
        {
            problems.Add($"{path}.matchActions: Override runs the hook as fmod_ret, which decides the return value: it cannot be combined with return: true");
        }

        if (sel.MatchReturnArgs.Count > 0 && !hook.Return)
        {
            problems.Add($"{path}.matchReturnArgs: needs return: true on the hook");
        }

        at[0] = (byte)Math.Min(sel.MatchArgs.Count, L.MaxArgFilters);
        at[1] = (byte)Math.Min(sel.MatchReturnArgs.Count, L.MaxRetFilters);
        at[2] = (byte)Math.Min(sel.MatchBinaries.Count, L.MaxBinFilters);
        at[3] = (byte)Math.Min(sel.MatchPids.Count, L.MaxPidFilters);
        at[4] = (byte)Math.Min(sel.Actions.Count, L.MaxActions);
        at[5] = (byte)Math.Min(sel.MatchNamespaces.Count + sel.MatchNamespaceChanges.Count, L.MaxNsFilters);
        at[6] = (byte)Math.Min(sel.MatchCapabilities.Count + sel.MatchCapabilityChanges.Count, L.MaxCapFilters);

        // matchNamespaceChanges and matchCapabilityChanges take the slots after their plain kin.
        for (var k = 0; k < sel.MatchNamespaceChanges.Count && sel.MatchNamespaces.Count + k < at[5]; k++)
        {
            var n = sel.MatchNamespaceChanges[k];
            var nat = at.Slice(L.SelNs + ((sel.MatchNamespaces.Count + k) * L.NsFilterSize), L.NsFilterSize);
            nat[0] = n.Operator == SetOperator.In ? L.OpIn : L.OpNotIn;
            nat[1] = L.NsChanges;
            BinaryPrimitives.WriteUInt16LittleEndian(nat[2..], (ushort)n.Namespaces.Aggregate(0, (mask, ns) => mask | (1 << (int)ns)));
        }

        for (var k = 0; k < sel.MatchCapabilityChanges.Count; k++)
        {
            var c = sel.MatchCapabilityChanges[k];
            if (c.Set != CapabilitySet.Effective)
            {
                problems.Add($"{path}.matchCapabilityChanges[{k}].type: only Effective is tracked for changes (the capabilities at exec), not {c.Set}");
            }

            if (sel.MatchCapabilities.Count + k >= at[6])
            {
                continue; // over the limit, reported above
            }

            var cat = at.Slice(L.SelCaps + ((sel.MatchCapabilities.Count + k) * L.CapFilterSize), L.CapFilterSize);
            cat[0] = c.Operator == SetOperator.In ? L.OpIn : L.OpNotIn;
            cat[2] = 1; // changes: compare with the baseline at exec
            HostUserNamespace(c, cat, $"{path}.matchCapabilityChanges[{k}]", ref hostNamespaces);
            BinaryPrimitives.WriteUInt64LittleEndian(cat[8..], c.Mask);
        }

        for (var i = 0; i < Math.Min(sel.MatchNamespaces.Count, at[5]); i++)
        {
            var n = sel.MatchNamespaces[i];
            var nat = at.Slice(L.SelNs + (i * L.NsFilterSize), L.NsFilterSize);
            var fid = L.FilterId(hookId, s, L.SlotNs + i);
            nat[0] = n.Operator == SetOperator.In ? L.OpIn : L.OpNotIn;
            nat[1] = (byte)n.Namespace; // NamespaceType keeps the NS_* order
            foreach (var inum in n.Inodes)
            {
                numbers.Add(NumberKey(fid, inum));
            }

            if (n.HostNamespace)
            {
                // host_ns: init's namespace, as the agent sees it with --pid=host.
                var host = (hostNamespaces ??= HostNamespaces.FromProc()).Inum((int)n.Namespace);
                if (host == 0)
                {
                    problems.Add($"{path}.matchNamespaces[{i}].values: host_ns: the host's {n.Namespace} namespace is unreadable (/proc/1/ns)");
                }

                numbers.Add(NumberKey(fid, host));
            }
        }

        for (var i = 0; i < Math.Min(sel.MatchCapabilities.Count, at[6]); i++)
        {
            var c = sel.MatchCapabilities[i];
            var cat = at.Slice(L.SelCaps + (i * L.CapFilterSize), L.CapFilterSize);
            HostUserNamespace(c, cat, $"{path}.matchCapabilities[{i}]", ref hostNamespaces);
            cat[0] = c.Operator == SetOperator.In ? L.OpIn : L.OpNotIn;
            cat[1] = c.Set switch { CapabilitySet.Inheritable => 1, CapabilitySet.Permitted => 2, _ => 0 };
            BinaryPrimitives.WriteUInt64LittleEndian(cat[8..], c.Mask);
        }

        for (var i = 0; i < at[0]; i++)
        {
            var f = sel.MatchArgs[i];
            var slot = args.FindIndex(a => a.Descriptor.Index == f.Index);
            var fpath = $"{path}.matchArgs[{i}]";
            if (slot < 0)
            {
                problems.Add($"{fpath}.index: no argument with index {f.Index} in args");
                continue;
            }

            EncodeFilter(f, (byte)slot, args[slot].KernelType, L.FilterId(hookId, s, i), at.Slice(L.SelArgs + (i * L.FilterSize), L.FilterSize), strings, numbers, fpath, problems);
        }

        for (var i = 0; i < at[1]; i++)
        {
            EncodeFilter(sel.MatchReturnArgs[i], L.RetSlot, returnType, L.FilterId(hookId, s, L.SlotRet + i), at.Slice(L.SelRets + (i * L.FilterSize), L.FilterSize), strings, numbers, $"{path}.matchReturnArgs[{i}]", problems);
        }

        for (var i = 0; i < at[2]; i++)
        {
            var b = sel.MatchBinaries[i];
            var fid = L.FilterId(hookId, s, L.SlotBin + i);
            if (b.FollowChildren)
            {
                // Decided in the kernel by a bit per process (set at the exec of one of the
                // binaries, inherited at fork): the op byte carries the flag and the bit.
                if (b.Operator is not (BinaryOperator.In or BinaryOperator.NotIn))
                {
                    problems.Add($"{path}.matchBinaries[{i}].followChildren: only with operator In or NotIn (the binaries are exact paths)");
                    continue;
                }

                var bit = followBits.Allocate();
                if (bit < 0)
                {
                    problems.Add($"{path}.matchBinaries[{i}].followChildren: all {FollowChildrenBits.Count} followChildren filters of this agent are in use by loaded policies");
                    continue;
                }

                at[L.SelBinOps + i] = (byte)(L.BinFollow | (b.Operator == BinaryOperator.NotIn ? L.BinFollowNot : 0) | bit);
                follow.Add(new FollowFilter(bit, b.Values));
                continue;
            }

            at[L.SelBinOps + i] = b.Operator switch
            {
                BinaryOperator.In => L.OpIn,
                BinaryOperator.NotIn => L.OpNotIn,
                BinaryOperator.Prefix => L.OpPrefix,
                BinaryOperator.NotPrefix => L.OpNotPrefix,
                BinaryOperator.Postfix => L.OpPostfix,
                _ => L.OpNotPostfix,
            };
            var exact = b.Operator is BinaryOperator.In or BinaryOperator.NotIn;
            var reverse = b.Operator is BinaryOperator.Postfix or BinaryOperator.NotPostfix;
            foreach (var value in b.Values)
            {
                AddString(fid, Encoding.UTF8.GetBytes(value), exact, reverse, strings, $"{path}.matchBinaries[{i}].values", problems);
            }
        }

        for (var i = 0; i < at[3]; i++)
        {
            var p = sel.MatchPids[i];
            var fat = at.Slice(L.SelPids + (i * L.PidFilterSize), L.PidFilterSize);
            fat[0] = p.Operator == SetOperator.In ? L.OpIn : L.OpNotIn;
            fat[1] = p.FollowForks ? (byte)1 : (byte)0;
            fat[2] = p.IsNamespacePid ? (byte)1 : (byte)0;
            fat[3] = (byte)Math.Min(p.Pids.Count, 255);
            foreach (var pid in p.Pids)
            {
                numbers.Add(NumberKey(L.FilterId(hookId, s, L.SlotPid + i), pid));
            }
        }

        for (var i = 0; i < at[4]; i++)
        {
            var a = sel.Actions[i];
            var aat = at.Slice(L.SelActions + (i * L.ActionSize), L.ActionSize);
            switch (a.Kind)
            {
                case ActionKind.Post:
                    aat[0] = L.ActionPost;
                    aat[2] = a.KernelStackTrace ? (byte)1 : (byte)0;
                    aat[3] = a.UserStackTrace ? (byte)1 : (byte)0;
                    if (a.KernelStackTrace && hook.Kind is not (HookKind.Syscall or HookKind.KernelFunction))
                    {
                        problems.Add($"{path}.matchActions[{i}].kernelStackTrace: only kprobes (process_kprobe) carry kernel_stack_trace");
                    }

                    if (a.UserStackTrace && hook.Kind is not (HookKind.Syscall or HookKind.KernelFunction))
                    {
                        problems.Add($"{path}.matchActions[{i}].userStackTrace: only kprobes (process_kprobe) carry user_stack_trace here");
                    }

                    aat[1] = a.RateLimitScope switch { RateLimitScope.Process => 1, RateLimitScope.Global => 2, _ => 0 };
                    BinaryPrimitives.WriteUInt64LittleEndian(aat[8..], (ulong)((a.RateLimit?.Ticks ?? 0) * 100));
                    break;
                case ActionKind.NoPost:
                    aat[0] = L.ActionNoPost;
                    break;
                // Tetragon's fd table maps an fd to the path an earlier hook saw. Here an `fd`
                // argument is resolved in the kernel from the task's own fd table at each call, so
                // these have nothing left to do: the event is posted and carries the action's name.
                case ActionKind.FollowFD:
                    aat[0] = L.ActionFollowFd;
                    break;
                case ActionKind.UnfollowFD:
                    aat[0] = L.ActionUnfollowFd;
                    break;
                case ActionKind.CopyFD:
                    aat[0] = L.ActionCopyFd;
                    break;
                case ActionKind.GetUrl:
                    aat[0] = L.ActionGetUrl; // posted by the kernel, taken by user space (UserSpaceActions)
                    break;
                case ActionKind.DnsLookup:
                    aat[0] = L.ActionDnsLookup;
                    break;
                case ActionKind.Sigkill:
                    aat[0] = L.ActionSigkill;
                    BinaryPrimitives.WriteUInt32LittleEndian(aat[4..], 9);
                    break;
                case ActionKind.Signal:
                    aat[0] = L.ActionSignal;
                    BinaryPrimitives.WriteUInt32LittleEndian(aat[4..], (uint)(a.Signal ?? 9));
                    break;
                case ActionKind.Override when a.Error is not (>= -4095 and <= 0):
                    problems.Add($"{path}.matchActions[{i}].argError: {a.Error} is not an error the kernel can return (a negative errno, -4095 to -1, or 0)");
                    break;
                case ActionKind.Override when Trampoline.Of(hook) is not null:
                    aat[0] = L.ActionOverride;
                    BinaryPrimitives.WriteInt32LittleEndian(aat[4..], a.Error ?? -1);
                    break;
                default:
                    problems.Add($"{path}.matchActions[{i}].action: {a.Kind} is not supported by this agent (supported: Post, NoPost, Sigkill, Signal, GetUrl, DnsLookup, FollowFD, UnfollowFD, CopyFD; Override on kprobes and lsmhooks)");
                    break;
            }
        }

        // isNamespaceCapability: the host's user namespace, which the task must not be in to match.
        void HostUserNamespace(CapabilitiesFilter c, Span<byte> cat, string fpath, ref HostNamespaces? host)
        {
            if (!c.IsNamespaceCapability)
            {
                return;
            }

            var inum = (host ??= HostNamespaces.FromProc()).Inum((int)NamespaceKind.User);
            if (inum == 0)
            {
                problems.Add($"{fpath}.isNamespaceCapability: the host's user namespace is unreadable (/proc/1/ns/user)");
            }

            BinaryPrimitives.WriteUInt32LittleEndian(cat[4..], inum);
        }

        void Unsupported(int count, string field)
        {
            if (count > 0)
            {
                problems.Add($"{path}.{field}: not supported by this agent yet");
            }
        }

        void Limit(int count, int max, string field)
        {
            if (count > max)
            {
                problems.Add($"{path}.{field}: {count} entries; this engine evaluates at most {max} in the kernel");
            }
        }
    }

    private static void EncodeFilter(ArgFilter f, byte slot, byte kernelType, uint fid, Span<byte> at, List<byte[]> strings, List<byte[]> numbers, string path, List<string> problems)
    {
        if (kernelType is L.TypeSockaddr or L.TypeSock or L.TypeSocket or L.TypeSkb)
        {
            EncodeSocketFilter(f, slot, kernelType == L.TypeSockaddr ? L.KindSockaddr : L.KindSock, fid, at, strings, numbers, path, problems);
            return;
        }

        var isString = kernelType is L.TypeString or L.TypeCharBuf or L.TypeFd or L.TypeDataLoc or L.TypeFile or L.TypePath or L.TypeLinuxBinprm or L.TypeDentry
            or L.TypeNetDevice or L.TypeKiocb or L.TypeIovIter or L.TypeCharIovec;
        var unsigned = kernelType is L.TypeU32 or L.TypeU64 or L.TypeU16 or L.TypeU8 or L.TypeKernelCap or L.TypeSyscall64;
        at[1] = slot;
        at[2] = isString ? L.KindString : unsigned ? L.KindUnsigned : L.KindSigned;
        at[3] = (byte)Math.Min(f.Values.Count, L.FilterValues);
        var opPath = path + ".operator";
        if (isString)
        {
            (at[0], var exact, var reverse) = f.Operator switch
            {
                FilterOperator.Equal => (L.OpEqual, true, false),
                FilterOperator.NotEqual => (L.OpNotEqual, true, false),
                FilterOperator.Prefix => (L.OpPrefix, false, false),
                FilterOperator.NotPrefix => (L.OpNotPrefix, false, false),
                FilterOperator.Postfix => (L.OpPostfix, false, true),
                FilterOperator.NotPostfix => (L.OpNotPostfix, false, true),
                _ => ((byte)0, false, false),
            };
            if (at[0] == 0)
            {
                problems.Add($"{opPath}: {f.Operator} does not apply to a string argument here");
                return;
            }

            foreach (var value in f.Values)
            {
                var bytes = value switch
                {
                    StringValue sv => sv.Utf8.ToArray(),
                    RawValue rv => Encoding.UTF8.GetBytes(rv.Text),
                    _ => null,
                };
                if (bytes is null)
                {
                    problems.Add($"{path}.values: {value} is not a string");
                    continue;
                }

                AddString(fid, bytes, exact, reverse, strings, path + ".values", problems);
            }

            return;
        }

        var numbersOnly = new List<ulong>();
        foreach (var value in f.Values)
        {
            ulong? n = value switch
            {
                SignedValue sv => (ulong)sv.Value,
                UnsignedValue uv => uv.Value,
                RawValue rv => ParseNumber(rv.Text),
                _ => null,
            };
            if (n is null)
            {
                problems.Add($"{path}.values: {value} is not a number");
                continue;
            }

            numbersOnly.Add(Extend(kernelType, n.Value));
        }

        switch (f.Operator)
        {
            case FilterOperator.Equal:
            case FilterOperator.NotEqual:
                at[0] = f.Operator == FilterOperator.Equal ? L.OpEqual : L.OpNotEqual;
                numbers.AddRange(numbersOnly.Select(n => NumberKey(fid, n)));
                break;
            case FilterOperator.Mask:
                at[0] = L.OpMask;
                BinaryPrimitives.WriteUInt64LittleEndian(at[8..], numbersOnly.Aggregate(0UL, (x, y) => x | y));
                break;
            case FilterOperator.GreaterThan:
            case FilterOperator.LessThan:
                at[0] = f.Operator == FilterOperator.GreaterThan ? L.OpGreaterThan : L.OpLessThan;
                if (numbersOnly.Count != 1)
                {
                    problems.Add($"{path}.values: {f.Operator} takes exactly one value");
                }

                BinaryPrimitives.WriteUInt64LittleEndian(at[8..], numbersOnly.FirstOrDefault());
                break;
            default:
                problems.Add($"{opPath}: {f.Operator} does not apply to a numeric argument here");
                break;
        }
    }

    /// <summary>
    /// A filter on a sockaddr argument (Tetragon allows [Not]SAddr, [Not]SPort[Priv] and Family on it; the
    /// policy compiler refuses the rest) or a sock argument (also the destination, Protocol and State):
    /// single ports, families, protocols and states go to gen_numbers, port ranges to the filter's
    /// values, networks to gen_strings as family + address prefixes.
    /// </summary>
    private static void EncodeSocketFilter(ArgFilter f, byte slot, byte kind, uint fid, Span<byte> at, List<byte[]> strings, List<byte[]> numbers, string path, List<string> problems)
    {
        at[1] = slot;
        at[2] = kind;
        at[3] = 0;
        at[0] = f.Operator switch
        {
            FilterOperator.SPort => L.OpSPort,
            FilterOperator.NotSPort => L.OpNotSPort,
            FilterOperator.SPortPriv => L.OpSPortPriv,
            FilterOperator.NotSPortPriv => L.OpNotSPortPriv,
            FilterOperator.SAddr => L.OpSAddr,
            FilterOperator.NotSAddr => L.OpNotSAddr,
            FilterOperator.Family => L.OpFamily,
            FilterOperator.DPort when kind == L.KindSock => L.OpDPort,
            FilterOperator.NotDPort when kind == L.KindSock => L.OpNotDPort,
            FilterOperator.DPortPriv when kind == L.KindSock => L.OpDPortPriv,
            FilterOperator.NotDPortPriv when kind == L.KindSock => L.OpNotDPortPriv,
            FilterOperator.DAddr when kind == L.KindSock => L.OpDAddr,
            FilterOperator.NotDAddr when kind == L.KindSock => L.OpNotDAddr,
            FilterOperator.Protocol when kind == L.KindSock => L.OpProtocol,
            FilterOperator.State when kind == L.KindSock => L.OpState,
            _ => 0,
        };
        if (at[0] == 0)
        {
            problems.Add(kind == L.KindSock
                ? $"{path}.operator: {f.Operator} does not apply to a sock argument (supported: [Not]SAddr, [Not]DAddr, [Not]SPort, [Not]DPort, [Not]SPortPriv, [Not]DPortPriv, Family, Protocol, State)"
                : $"{path}.operator: {f.Operator} does not apply to a sockaddr argument (supported: SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSPortPriv, Family)");
            return;
        }

        var ranges = 0;
        foreach (var value in f.Values)
        {
            switch (value)
            {
                case PortRangeValue { First: var first, Last: var last } when first == last:
                    numbers.Add(NumberKey(fid, first));
                    break;
                case PortRangeValue { First: var first, Last: var last }:
                    if (ranges == L.FilterValues)
                    {
                        problems.Add($"{path}.values: more than {L.FilterValues} port ranges; this engine compares at most {L.FilterValues} in the kernel");
                        return;
                    }

                    BinaryPrimitives.WriteUInt64LittleEndian(at[(8 + (8 * ranges))..], first | ((ulong)last << 16));
                    ranges++;
                    break;
                case CidrValue cidr:
                    strings.Add(NetworkKey(fid, cidr));
                    break;
                case UnsignedValue number when f.Operator is FilterOperator.Family or FilterOperator.Protocol or FilterOperator.State:
                    numbers.Add(NumberKey(fid, number.Value));
                    break;
                default:
                    problems.Add($"{path}.values: {value} does not apply to {f.Operator}");
                    break;
            }
        }

        at[3] = (byte)ranges;
    }

    /// <summary>An SAddr network as an LPM trie key: the filter id (big endian), the family, the address; prefixlen 40 + its bits.</summary>
    public static byte[] NetworkKey(uint fid, CidrValue cidr)
    {
        var key = new byte[L.StrKeySize];
        var address = cidr.Network.GetAddressBytes();
        var family = address.Length == 16 ? L.AfInet6 : L.AfInet;
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(40 + cidr.PrefixLength));
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(4), fid);
        key[8] = (byte)family;
        address.CopyTo(key.AsSpan(9));
        return key;
    }

    /// <summary>The kernel compares a slot's value widened per type (gen_extend): widen the filter values the same way.</summary>
    private static ulong Extend(byte type, ulong v) => type switch
    {
        L.TypeS32 or L.TypeCapability => (ulong)(long)(int)v,
        L.TypeU32 => (uint)v,
        L.TypeS16 => (ulong)(long)(short)v,
        L.TypeU16 => (ushort)v,
        L.TypeS8 => (ulong)(long)(sbyte)v,
        L.TypeU8 => (byte)v,
        _ => v,
    };

    private static ulong? ParseNumber(string text)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? (ulong)s
            : ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) ? u : null;
    }

    private static void AddString(uint fid, byte[] value, bool exact, bool reverse, List<byte[]> keys, string path, List<string> problems)
    {
        if (value.Length > L.StringCompareMax)
        {
            problems.Add($"{path}: a value of {value.Length} bytes; the kernel compares at most {L.StringCompareMax}");
            return;
        }

        keys.Add(StringKey(fid, value, exact, reverse));
    }

    /// <summary>An LPM trie key: prefixlen, then the filter id (big endian) and the bytes (NUL ended when exact).</summary>
    public static byte[] StringKey(uint fid, ReadOnlySpan<byte> value, bool exact, bool reverse)
    {
        var key = new byte[L.StrKeySize];
        var bytes = value.ToArray();
        if (reverse)
        {
            Array.Reverse(bytes);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(32 + (8 * (bytes.Length + (exact ? 1 : 0)))));
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(4), fid);
        bytes.CopyTo(key.AsSpan(8));
        return key;
    }

    public static byte[] NumberKey(uint fid, ulong value)
    {
        var key = new byte[L.NumKeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(key, fid);
        BinaryPrimitives.WriteUInt64LittleEndian(key.AsSpan(8), value);
        return key;
    }

    /// <summary>Argument types that are kernel pointers, read in the kernel: only a kernel function's arguments can be one.</summary>
    private static readonly Dictionary<ArgType, byte> KernelPointers = new()
    {
        [ArgType.File] = L.TypeFile, [ArgType.Path] = L.TypePath, [ArgType.Dentry] = L.TypeDentry,
        [ArgType.LinuxBinprm] = L.TypeLinuxBinprm, [ArgType.Sock] = L.TypeSock, [ArgType.Socket] = L.TypeSocket,
        [ArgType.Skb] = L.TypeSkb, [ArgType.Cred] = L.TypeCred, [ArgType.KernelCapT] = L.TypeKernelCap,
        [ArgType.CapInheritable] = L.TypeKernelCap, [ArgType.CapPermitted] = L.TypeKernelCap,
        [ArgType.CapEffective] = L.TypeKernelCap, [ArgType.UserNamespace] = L.TypeUserNs, [ArgType.BpfAttr] = L.TypeBpfAttr,
        [ArgType.BpfMap] = L.TypeBpfMap, [ArgType.Module] = L.TypeModule, [ArgType.NetDevice] = L.TypeNetDevice,
        [ArgType.BpfProg] = L.TypeBpfProg, [ArgType.PerfEvent] = L.TypePerfEvent, [ArgType.LoadInfo] = L.TypeLoadInfo,
        [ArgType.Kiocb] = L.TypeKiocb, [ArgType.IovIter] = L.TypeIovIter,
    };

    /// <param name="kernelFunction">The hook is on a kernel function (kprobe, LSM), whose arguments may be kernel pointers.</param>
    private static byte KernelType(ArgType type, string name, string path, List<string> problems, bool kernelFunction = false)
    {
        if (KernelPointers.TryGetValue(type, out var pointer))
        {
            if (kernelFunction)
            {
                return pointer;
            }

            problems.Add($"{path}.type: {name} is a kernel pointer: it applies to kprobes on kernel functions, not to syscall, tracepoint or uprobe arguments");
            return 0;
        }

        switch (type)
        {
            case ArgType.Int or ArgType.Int32:
                return L.TypeS32;
            case ArgType.Uint32:
                return L.TypeU32;
            case ArgType.Int64 or ArgType.Long:
                return L.TypeS64;
            case ArgType.Uint64 or ArgType.SizeT:
                return L.TypeU64;
            case ArgType.Int16:
                return L.TypeS16;
            case ArgType.Uint16:
                return L.TypeU16;
            case ArgType.Int8:
                return L.TypeS8;
            case ArgType.Uint8:
                return L.TypeU8;
            case ArgType.String or ArgType.Filename:
                return L.TypeString;
            case ArgType.CharBuf:
                return L.TypeCharBuf;
            case ArgType.CharIovec:
                return L.TypeCharIovec;
            case ArgType.Fd:
                return L.TypeFd;
            case ArgType.Sockaddr:
                return L.TypeSockaddr;
            case ArgType.Capability:
                return L.TypeCapability;
            case ArgType.Syscall64:
                return L.TypeSyscall64;
            default:
                problems.Add($"{path}.type: {name} is not supported by this agent (supported: int, uint32, int64, uint64, size_t, string, char_buf, char_iovec, fd, filename, sockaddr, capability, syscall64; on kernel functions also file, path, dentry, linux_binprm, sock, socket, skb, cred, kernel_cap_t, cap_inheritable, cap_permitted, cap_effective, user_namespace, bpf_attr, bpf_map, bpf_prog, perf_event, module, load_info, net_device, kiocb, iov_iter; nop anywhere)");
                return 0;
        }
    }

    private static byte TracepointType(ArgDescriptor a, TracepointField field, string path, List<string> problems)
    {
        if (a.Type != ArgType.Auto)
        {
            var t = KernelType(a.Type, a.TypeName, path, problems);
            return t == L.TypeString && field.IsDataLoc ? L.TypeDataLoc : t;
        }

        if (field.IsDataLoc)
        {
            return L.TypeDataLoc;
        }

        if (field.IsCharPointer)
        {
            return L.TypeString;
        }

        if (field.IsArray)
        {
            problems.Add($"{path}.type: field {field.Name} ({field.Declaration}) is an array; give the arg a type");
            return 0;
        }

        return (field.Size, field.Signed) switch
        {
            (1, true) => L.TypeS8,
            (1, false) => L.TypeU8,
            (2, true) => L.TypeS16,
            (2, false) => L.TypeU16,
            (4, true) => L.TypeS32,
            (4, false) => L.TypeU32,
            (_, true) => L.TypeS64,
            _ => L.TypeU64,
        };
    }
}
