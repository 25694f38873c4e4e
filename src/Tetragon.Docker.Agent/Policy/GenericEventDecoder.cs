using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Api;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Decodes msg_generic (bpf/generic/generic.h) into process_kprobe / process_tracepoint /
/// process_uprobe / process_lsm with the process and parent from the cache. Runs on the pipeline thread.
/// When the JSON export is the only subscriber, it encodes the sample itself and no message
/// is built: a storm of hook events costs one line each, not a tree of objects.
/// </summary>
internal sealed class GenericEventDecoder(
    GenericHookRegistry registry,
    ProcessCache cache,
    ProcessFactory factory,
    AgentCounters counters,
    ProcessEventHandler handler,
    EventBus bus)
{
    public const string UnknownHookCounter = "tetragon_generic_unknown_hook_total";

    public void OnSample(ReadOnlySpan<byte> sample)
    {
        if (sample.Length < L.MsgSize)
        {
            throw new InvalidDataException($"generic event of {sample.Length} bytes is shorter than its header");
        }

        var op = sample[0];
        var ktime = BinaryPrimitives.ReadUInt64LittleEndian(sample[8..]);
        var pid = BinaryPrimitives.ReadUInt32LittleEndian(sample[16..]);
        var hookId = BinaryPrimitives.ReadUInt32LittleEndian(sample[24..]);
        var action = BinaryPrimitives.ReadUInt32LittleEndian(sample[28..]);
        var ret = BinaryPrimitives.ReadInt64LittleEndian(sample[40..]);
        var hasRet = sample[57] != 0;
        var nargs = sample[58];
        var kstackLen = BinaryPrimitives.ReadUInt16LittleEndian(sample[L.MsgKernelStackLen..]);
        var ustackLen = BinaryPrimitives.ReadUInt16LittleEndian(sample[L.MsgUserStackLen..]);
        var hook = registry.Get(hookId);
        if (hook is null)
        {
            counters.Add(UnknownHookCounter); // its policy was deleted while the event was in flight
            return;
        }

        if (hook.HasUserSpaceActions && Actions is not null && sample[56] < hook.Plan.Selectors.Count)
        {
            Actions.Run(hook.Plan.Selectors[sample[56]].Actions); // msg_generic.selector: the one that matched
        }

        var count = Math.Min((int)nargs, hook.Encoded.Args.Count);
        var end = L.MsgSize;
        for (var i = 0; i < count; i++)
        {
            end += HookSample.ArgLength(sample, i);
            if (end > sample.Length)
            {
                throw new InvalidDataException($"generic event: argument {i} runs past the sample");
            }
        }

        if (end + kstackLen + ustackLen > sample.Length)
        {
            throw new InvalidDataException("generic event: the stack traces run past the sample");
        }

        var entry = cache.Get(pid);
        var ancestors = entry is not null && WantsAncestors(op) ? AncestorEvents.Of(entry) : null;
        if (entry is null)
        {
            counters.Add(AgentCounters.ProcessCacheMisses);
        }
        else if (ancestors is null && kstackLen == 0 && ustackLen == 0 && op != MsgOp.GenericLsm && !handler.MustWait(entry) && bus.TryPublishHook(new HookSample
        {
            Sample = sample,
            Op = op,
            Hook = hook,
            Process = entry.Process,
            Parent = entry.Parent?.Process,
            Action = (KprobeAction)action,
            ArgCount = count,
            HasReturn = hasRet && op is not (MsgOp.GenericTracepoint or MsgOp.GenericUprobe),
            Return = ret,
            UnixNs = factory.Clock.ToUnixNs(ktime),
            NodeName = factory.NodeName,
        }))
        {
            return;
        }

        var args = count == 0 ? [] : new KprobeArgument[count];
        var off = L.MsgSize;
        var truncated = sample[L.MsgTruncated];
        var truncSize = BinaryPrimitives.ReadUInt32LittleEndian(sample[L.MsgTruncSize..]);
        for (var i = 0; i < count; i++)
        {
            var len = HookSample.ArgLength(sample, i);
            var arg = hook.Encoded.Args[i];
            if (arg.KernelType == L.TypeCharBuf && (truncated & (1 << i)) != 0)
            {
                // Cut to the first 256 bytes: Tetragon's truncated_bytes_arg. The kernel keeps the
                // full size of the first such buffer only; another one's orig_size stays 0 (unknown).
                args[arg.Position] = WithLabel(new KprobeArgument { TruncatedBytesArg = new KprobeTruncatedBytes { BytesArg = ByteString.CopyFrom(sample.Slice(off, len)), OrigSize = truncSize } }, arg.Descriptor.Label);
                truncSize = 0;
            }
            else
            {
                args[arg.Position] = Argument(arg, sample.Slice(off, len));
            }

            off += len;
        }

        var response = Event(hook, op, (KprobeAction)action, entry?.Process, entry?.Parent?.Process, args);
        response.NodeName = factory.NodeName;
        response.Time = Timestamp.FromDateTimeOffset(factory.Clock.ToWallClock(ktime));
        if (hasRet && response.ProcessKprobe is { } kprobe)
        {
            kprobe.Return = Number(hook.Encoded.ReturnType, ret, hook.Plan.ReturnArg?.Label);
        }

        if (kstackLen > 0 && response.ProcessKprobe is { } withStack)
        {
            AddKernelStack(withStack.KernelStackTrace, sample.Slice(end, kstackLen));
        }

        if (ustackLen > 0 && response.ProcessKprobe is { } withUserStack)
        {
            UserStacks.Resolve(pid, sample.Slice(end + kstackLen, ustackLen), withUserStack.UserStackTrace);
        }

        if (ancestors is not null)
        {
            (response.ProcessKprobe?.Ancestors ?? response.ProcessTracepoint?.Ancestors ?? response.ProcessLsm?.Ancestors ?? response.ProcessUprobe.Ancestors).AddRange(ancestors);
        }

        handler.EmitHookEvent(entry, response);
    }

    private KernelSymbols? kernelSymbols;

    /// <summary>userStackTrace: names the frames from the process's own maps and files.</summary>
    public UserSymbols UserStacks { get; init; } = new();

    /// <summary>GetUrl and DnsLookup, run after the event; null: not wired (unit tests).</summary>
    public UserSpaceActions? Actions { get; init; }

    /// <summary>
    /// kernelStackTrace: the return addresses, innermost first, named from /proc/kallsyms. The
    /// innermost frames of BPF itself (our program, bpf_trace_run2, __bpf_trace_*) are left out:
    /// the trace starts where the kernel met the hook.
    /// </summary>
    private void AddKernelStack(RepeatedField<StackTraceEntry> trace, ReadOnlySpan<byte> frames)
    {
        kernelSymbols ??= KernelSymbols.Load();
        for (var i = 0; i + 8 <= frames.Length; i += 8)
        {
            var address = BinaryPrimitives.ReadUInt64LittleEndian(frames[i..]);
            if (address == 0)
            {
                break;
            }

            var entry = kernelSymbols.Resolve(address);
            if (trace.Count == 0 && (entry.Symbol.StartsWith("bpf_", StringComparison.Ordinal) || entry.Symbol.StartsWith("__bpf_", StringComparison.Ordinal)))
            {
                continue;
            }

            trace.Add(entry);
        }
    }

    private bool WantsAncestors(byte op) => op switch
    {
        MsgOp.GenericTracepoint => handler.Ancestors.Tracepoint,
        MsgOp.GenericUprobe => handler.Ancestors.Uprobe,
        MsgOp.GenericLsm => handler.Ancestors.Lsm,
        _ => handler.Ancestors.Kprobe,
    };

    /// <summary>The event message of one hook: its constants, the process and parent, the arguments (no time, node or return).</summary>
    public static GetEventsResponse Event(ActiveHook hook, byte op, KprobeAction action, Api.Process? process, Api.Process? parent, KprobeArgument[] args)
    {
        var response = new GetEventsResponse();
        switch (op)
        {
            case MsgOp.GenericTracepoint:
                {
                    var tp = (TracepointTarget)hook.Plan.Target;
                    var ev = new ProcessTracepoint { Process = process, Parent = parent, Subsys = tp.Subsystem, Event = tp.Event, PolicyName = hook.PolicyName, Action = action, Message = hook.Plan.Message ?? "" };
                    ev.Args.AddRange(args);
                    AddTags(ev.Tags, hook.Plan.Tags);
                    response.ProcessTracepoint = ev;
                    break;
                }

            case MsgOp.GenericLsm:
                {
                    var lsm = (LsmTarget)hook.Plan.Target;
                    var ev = new ProcessLsm { Process = process, Parent = parent, FunctionName = lsm.Hook, PolicyName = hook.PolicyName, Action = action, Message = hook.Plan.Message ?? "" };
                    ev.Args.AddRange(args);
                    AddTags(ev.Tags, hook.Plan.Tags);
                    response.ProcessLsm = ev;
                    break;
                }

            case MsgOp.GenericUprobe:
                {
                    var up = (UprobeTarget)hook.Plan.Target;
                    var ev = new ProcessUprobe { Process = process, Parent = parent, Path = up.Path, Symbol = hook.Symbol ?? "", Offset = hook.Symbol is null ? hook.Site?.Offset ?? 0 : 0, RefCtrOffset = hook.Site?.RefCtrOffset ?? 0, PolicyName = hook.PolicyName, Action = action, Message = hook.Plan.Message ?? "" };
                    ev.Args.AddRange(args);
                    AddTags(ev.Tags, hook.Plan.Tags);
                    response.ProcessUprobe = ev;
                    break;
                }

            default:
                {
                    var ev = new ProcessKprobe { Process = process, Parent = parent, FunctionName = hook.FunctionName, PolicyName = hook.PolicyName, Action = action, Message = hook.Plan.Message ?? "" };
                    ev.Args.AddRange(args);
                    AddTags(ev.Tags, hook.Plan.Tags);
                    response.ProcessKprobe = ev;
                    break;
                }
        }

        return response;
    }

    private static void AddTags(RepeatedField<string> tags, IReadOnlyList<string> from)
    {
        for (var i = 0; i < from.Count; i++)
        {
            tags.Add(from[i]);
        }
    }

    private KprobeArgument Argument(GenericArg arg, ReadOnlySpan<byte> data)
    {
        var label = arg.Descriptor.Label;
        switch (arg.KernelType)
        {
            case L.TypeString or L.TypeDataLoc:
                return WithLabel(new KprobeArgument { StringArg = Encoding.UTF8.GetString(data) }, label);
            case L.TypeCharBuf or L.TypeIovIter or L.TypeCharIovec:
                return WithLabel(new KprobeArgument { BytesArg = ByteString.CopyFrom(data) }, label);
            case L.TypeFd or L.TypeFile or L.TypeKiocb: // a kiocb is reported by its file, as Tetragon does
                return WithLabel(new KprobeArgument { FileArg = new KprobeFile { Path = Encoding.UTF8.GetString(data) } }, label);
            case L.TypePath or L.TypeDentry: // a dentry is reported as Tetragon does: a path_arg
                return WithLabel(new KprobeArgument { PathArg = new KprobePath { Path = Encoding.UTF8.GetString(data) } }, label);
            case L.TypeLinuxBinprm:
                return WithLabel(new KprobeArgument { LinuxBinprmArg = new KprobeLinuxBinprm { Path = Encoding.UTF8.GetString(data) } }, label);
            case L.TypeSockaddr:
                return WithLabel(new KprobeArgument { SockaddrArg = SockaddrDecoder.Decode(data) }, label);
            case L.TypeSkb:
                return WithLabel(new KprobeArgument { SkbArg = SockaddrDecoder.DecodeSkb(data) }, label);
            case L.TypeSock or L.TypeSocket: // a socket is reported by its sock, as Tetragon does
                return WithLabel(new KprobeArgument { SockArg = SockaddrDecoder.DecodeSock(data) }, label);
            case L.TypeCred:
                return WithLabel(new KprobeArgument { ProcessCredentialsArg = CredentialsDecoder.Decode(data, factory.HostNamespaces) }, label);
            case L.TypeCapability or L.TypeKernelCap or L.TypeUserNs or L.TypeBpfAttr or L.TypeBpfMap or L.TypeModule or L.TypeNetDevice
                or L.TypeBpfProg or L.TypePerfEvent or L.TypeLoadInfo:
                return WithLabel(KernelObjectDecoder.Decode(arg.KernelType, arg.Descriptor.Type, data), label);
            default:
                return Number(arg.KernelType, data.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(data) : 0, label);
        }
    }

    private static KprobeArgument Number(byte type, long value, string? label)
    {
        var arg = type switch
        {
            L.TypeS32 or L.TypeS16 or L.TypeS8 => new KprobeArgument { IntArg = (int)value },
            L.TypeU32 or L.TypeU16 or L.TypeU8 => new KprobeArgument { UintArg = (uint)value },
            L.TypeU64 => new KprobeArgument { SizeArg = (ulong)value },
            L.TypeSyscall64 => new KprobeArgument { SyscallId = SyscallIdOf((ulong)value) },
            _ => new KprobeArgument { LongArg = value },
        };
        return WithLabel(arg, label);
    }

    /// <summary>Tetragon's syscall64: bit 31 marks a 32-bit task's syscall, numbered in the i386 table.</summary>
    internal static SyscallId SyscallIdOf(ulong value) => (value & 0x80000000) != 0
        ? new SyscallId { Id = (uint)(value & 0x7fffffff), Abi = "i386" }
        : new SyscallId { Id = (uint)value, Abi = "x64" };

    private static KprobeArgument WithLabel(KprobeArgument arg, string? label)
    {
        if (!string.IsNullOrEmpty(label))
        {
            arg.Label = label;
        }

        return arg;
    }
}
