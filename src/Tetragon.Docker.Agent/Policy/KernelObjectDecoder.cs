using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Policy.Linux;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Kernel objects captured by a few fields each (bpf/generic/generic.h: gen_read_kobj), reported
/// as Tetragon reports them: capability_arg, kernel_cap_t_arg and cap_*_arg, user_ns_arg,
/// bpf_attr_arg, bpf_prog_arg, perf_event_arg, bpf_map_arg, module_arg (of a module or of a
/// load_info) and net_dev_arg.
/// </summary>
internal static class KernelObjectDecoder
{
    // uapi/linux/bpf.h, in enum order.
    private static readonly string[] ProgTypes =
    [
        "UNSPEC", "SOCKET_FILTER", "KPROBE", "SCHED_CLS", "SCHED_ACT", "TRACEPOINT", "XDP", "PERF_EVENT", "CGROUP_SKB",
        "CGROUP_SOCK", "LWT_IN", "LWT_OUT", "LWT_XMIT", "SOCK_OPS", "SK_SKB", "CGROUP_DEVICE", "SK_MSG", "RAW_TRACEPOINT",
        "CGROUP_SOCK_ADDR", "LWT_SEG6LOCAL", "LIRC_MODE2", "SK_REUSEPORT", "FLOW_DISSECTOR", "CGROUP_SYSCTL",
        "RAW_TRACEPOINT_WRITABLE", "CGROUP_SOCKOPT", "TRACING", "STRUCT_OPS", "EXT", "LSM", "SK_LOOKUP", "SYSCALL", "NETFILTER",
    ];

    private static readonly string[] MapTypes =
    [
        "UNSPEC", "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH", "PERCPU_ARRAY", "STACK_TRACE",
        "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS", "HASH_OF_MAPS", "DEVMAP", "SOCKMAP",
        "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY", "PERCPU_CGROUP_STORAGE", "QUEUE", "STACK",
        "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE", "TASK_STORAGE", "BLOOM_FILTER",
        "USER_RINGBUF", "CGRP_STORAGE", "ARENA",
    ];

    private static readonly string[] PerfTypes = ["HARDWARE", "SOFTWARE", "TRACEPOINT", "HW_CACHE", "RAW", "BREAKPOINT"];

    // Each TaintedBitsType value is 1 << the kernel's taint bit.
    private static readonly TaintedBitsType[] ModuleTaints =
    [
        TaintedBitsType.TaintProprietaryModule, TaintedBitsType.TaintForcedModule, TaintedBitsType.TaintForcedUnloadModule,
        TaintedBitsType.TaintStagedModule, TaintedBitsType.TaintOutOfTreeModule, TaintedBitsType.TaintUnsignedModule,
        TaintedBitsType.TaintKernelLivePatchModule, TaintedBitsType.TaintTestModule,
    ];

    public static string ProgTypeName(uint type) => Name("BPF_PROG_TYPE_", ProgTypes, type);

    public static string MapTypeName(uint type) => Name("BPF_MAP_TYPE_", MapTypes, type);

    /// <summary>The argument of kernel type <paramref name="kernelType"/>, one of the types above.</summary>
    public static KprobeArgument Decode(byte kernelType, ArgType type, ReadOnlySpan<byte> data)
    {
        switch (kernelType)
        {
            case L.TypeCapability:
                {
                    var value = data.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(data) : 0;
                    return new KprobeArgument { CapabilityArg = new KprobeCapability { Value = value, Name = CapabilityTable.NameOf(value) } };
                }

            case L.TypeKernelCap:
                {
                    var hex = (data.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(data) : 0).ToString("x16", CultureInfo.InvariantCulture);
                    return type switch
                    {
                        ArgType.CapInheritable => new KprobeArgument { CapInheritableArg = hex },
                        ArgType.CapPermitted => new KprobeArgument { CapPermittedArg = hex },
                        ArgType.CapEffective => new KprobeArgument { CapEffectiveArg = hex },
                        _ => new KprobeArgument { KernelCapTArg = hex },
                    };
                }

            case L.TypeUserNs:
                return new KprobeArgument { UserNsArg = UserNamespace(data) };
            case L.TypeBpfAttr:
                return new KprobeArgument { BpfAttrArg = BpfAttr(data) };
            case L.TypeBpfMap:
                return new KprobeArgument { BpfMapArg = BpfMap(data) };
            case L.TypeModule:
                return new KprobeArgument { ModuleArg = Module(data) };
            case L.TypeLoadInfo:
                return new KprobeArgument { ModuleArg = LoadInfo(data) };
            case L.TypeBpfProg:
                return new KprobeArgument { BpfProgArg = BpfProg(data) };
            case L.TypePerfEvent:
                return new KprobeArgument { PerfEventArg = PerfEvent(data) };
            case L.TypeNetDevice:
                return new KprobeArgument { NetDevArg = new KprobeNetDev { Name = Encoding.UTF8.GetString(data) } };
            default:
                throw new ArgumentOutOfRangeException(nameof(kernelType), kernelType, "not a kernel object type");
        }
    }

    /// <summary>Level 0 is the host's user namespace, as Tetragon sets is_host.</summary>
    public static UserNamespace UserNamespace(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.UserNsSize)
        {
            return new UserNamespace();
        }

        var level = BinaryPrimitives.ReadInt32LittleEndian(data);
        return new UserNamespace
        {
            Level = level,
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]),
            Gid = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
            Ns = new Namespace { Inum = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]), IsHost = level == 0 },
        };
    }

    public static KprobeBpfAttr BpfAttr(ReadOnlySpan<byte> data) => data.Length < L.BpfAttrSize
        ? new KprobeBpfAttr()
        : new KprobeBpfAttr
        {
            ProgType = ProgTypeName(BinaryPrimitives.ReadUInt32LittleEndian(data)),
            InsnCnt = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]),
            ProgName = KernelString.Decode(data.Slice(8, 16)),
        };

    /// <summary>A loaded program: captured in the bpf_attr layout (type, instruction count, name).</summary>
    public static KprobeBpfProg BpfProg(ReadOnlySpan<byte> data)
    {
        var attr = BpfAttr(data);
        return new KprobeBpfProg { ProgType = attr.ProgType, InsnCnt = attr.InsnCnt, ProgName = attr.ProgName };
    }

    public static KprobePerfEvent PerfEvent(ReadOnlySpan<byte> data) => data.Length < L.PerfEventSize
        ? new KprobePerfEvent()
        : new KprobePerfEvent
        {
            KprobeFunc = KernelString.Decode(data[..128]),
            Config = BinaryPrimitives.ReadUInt64LittleEndian(data[128..]),
            ProbeOffset = BinaryPrimitives.ReadUInt64LittleEndian(data[136..]),
            Type = PerfTypeName(BinaryPrimitives.ReadUInt32LittleEndian(data[144..])),
        };

    /// <summary>uapi/linux/perf_event.h's fixed types; a dynamic PMU's (kprobe, uprobe ...) is its number.</summary>
    public static string PerfTypeName(uint type) =>
        type < PerfTypes.Length ? "PERF_TYPE_" + PerfTypes[type] : type.ToString(CultureInfo.InvariantCulture);

    public static KprobeBpfMap BpfMap(ReadOnlySpan<byte> data) => data.Length < L.BpfMapSize
        ? new KprobeBpfMap()
        : new KprobeBpfMap
        {
            MapType = MapTypeName(BinaryPrimitives.ReadUInt32LittleEndian(data)),
            KeySize = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]),
            ValueSize = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
            MaxEntries = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]),
            MapName = KernelString.Decode(data.Slice(16, 16)),
        };

    public static KernelModule Module(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.ModuleSize)
        {
            return new KernelModule();
        }

        var module = new KernelModule { Name = KernelString.Decode(data[..56]) };
        var taints = BinaryPrimitives.ReadUInt64LittleEndian(data[56..]);
        foreach (var taint in ModuleTaints)
        {
            if ((taints & (ulong)taint) != 0)
            {
                module.Tainted.Add(taint);
            }
        }

        return module;
    }

    /// <summary>A module being loaded: its name and whether its signature was verified (no verdict on a kernel without module signing).</summary>
    public static KernelModule LoadInfo(ReadOnlySpan<byte> data)
    {
        if (data.Length < L.ModuleSize)
        {
            return new KernelModule();
        }

        var verdict = BinaryPrimitives.ReadUInt64LittleEndian(data[56..]);
        return new KernelModule { Name = KernelString.Decode(data[..56]), SignatureOk = verdict > 1 ? null : verdict == 1 };
    }

    private static string Name(string prefix, string[] names, uint value) =>
        prefix + (value < names.Length ? names[value] : value.ToString(CultureInfo.InvariantCulture));
}
