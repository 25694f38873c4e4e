using System.Collections.Frozen;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>Tetragon's argument type names, their filter class and their numeric range.</summary>
internal static class ArgTypes
{
    private static readonly FrozenDictionary<string, ArgType> ByName = new Dictionary<string, ArgType>(StringComparer.Ordinal)
    {
        ["auto"] = ArgType.Auto, ["int"] = ArgType.Int, ["int8"] = ArgType.Int8, ["uint8"] = ArgType.Uint8,
        ["int16"] = ArgType.Int16, ["uint16"] = ArgType.Uint16, ["int32"] = ArgType.Int32, ["uint32"] = ArgType.Uint32,
        ["int64"] = ArgType.Int64, ["uint64"] = ArgType.Uint64, ["size_t"] = ArgType.SizeT, ["long"] = ArgType.Long,
        ["syscall64"] = ArgType.Syscall64, ["string"] = ArgType.String, ["char_buf"] = ArgType.CharBuf,
        ["char_iovec"] = ArgType.CharIovec, ["fd"] = ArgType.Fd, ["file"] = ArgType.File, ["path"] = ArgType.Path,
        ["filename"] = ArgType.Filename, ["dentry"] = ArgType.Dentry, ["linux_binprm"] = ArgType.LinuxBinprm,
        ["data_loc"] = ArgType.DataLoc, ["net_device"] = ArgType.NetDevice, ["sock"] = ArgType.Sock,
        ["socket"] = ArgType.Socket, ["skb"] = ArgType.Skb, ["sockaddr"] = ArgType.Sockaddr, ["cred"] = ArgType.Cred,
        ["capability"] = ArgType.Capability, ["kernel_cap_t"] = ArgType.KernelCapT,
        ["cap_inheritable"] = ArgType.CapInheritable, ["cap_permitted"] = ArgType.CapPermitted,
        ["cap_effective"] = ArgType.CapEffective, ["nop"] = ArgType.Nop, ["bpf_attr"] = ArgType.BpfAttr,
        ["perf_event"] = ArgType.PerfEvent, ["bpf_map"] = ArgType.BpfMap, ["bpf_prog"] = ArgType.BpfProg,
        ["user_namespace"] = ArgType.UserNamespace, ["module"] = ArgType.Module, ["load_info"] = ArgType.LoadInfo,
        ["kiocb"] = ArgType.Kiocb, ["iov_iter"] = ArgType.IovIter,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string name, out ArgType type) => ByName.TryGetValue(name, out type);

    public static ArgClass ClassOf(ArgType type) => type switch
    {
        ArgType.Int or ArgType.Int8 or ArgType.Int16 or ArgType.Int32 or ArgType.Int64 or ArgType.Long => ArgClass.Signed,
        ArgType.Uint8 or ArgType.Uint16 or ArgType.Uint32 or ArgType.Uint64 or ArgType.SizeT or ArgType.Syscall64 or ArgType.Capability => ArgClass.Unsigned,
        ArgType.String or ArgType.CharBuf or ArgType.CharIovec or ArgType.Fd or ArgType.File or ArgType.Path or ArgType.Filename
            or ArgType.Dentry or ArgType.LinuxBinprm or ArgType.DataLoc or ArgType.NetDevice or ArgType.Kiocb or ArgType.IovIter => ArgClass.Text,
        ArgType.Sock or ArgType.Socket or ArgType.Skb or ArgType.Sockaddr => ArgClass.Socket,
        ArgType.KernelCapT or ArgType.CapInheritable or ArgType.CapPermitted or ArgType.CapEffective => ArgClass.CapabilityMask,
        ArgType.Auto => ArgClass.Auto,
        _ => ArgClass.Opaque,
    };

    /// <summary>Inclusive range of a signed type.</summary>
    public static (long Min, long Max) SignedRange(ArgType type) => type switch
    {
        ArgType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        ArgType.Int16 => (short.MinValue, short.MaxValue),
        ArgType.Int or ArgType.Int32 => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    /// <summary>Largest value of an unsigned type.</summary>
    public static ulong UnsignedMax(ArgType type) => type switch
    {
        ArgType.Uint8 => byte.MaxValue,
        ArgType.Uint16 => ushort.MaxValue,
        ArgType.Uint32 => uint.MaxValue,
        ArgType.Capability => 63,
        _ => ulong.MaxValue,
    };

    /// <summary>Bit width used for Mask values.</summary>
    public static ulong MaskMax(ArgType type) => type switch
    {
        ArgType.Int8 or ArgType.Uint8 => byte.MaxValue,
        ArgType.Int16 or ArgType.Uint16 => ushort.MaxValue,
        ArgType.Int or ArgType.Int32 or ArgType.Uint32 => uint.MaxValue,
        _ => ulong.MaxValue,
    };

    public static bool IsBuffer(ArgType type) => type is ArgType.CharBuf or ArgType.CharIovec;
}
