using System.Buffers.Binary;
using System.Text;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Api;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Tests;

public sealed class KernelObjectDecoderTests
{
    [Fact]
    public void ACapabilityNumberIsNamed()
    {
        var arg = KernelObjectDecoder.Decode(L.TypeCapability, ArgType.Capability, Le64(21));
        Assert.Equal(21, arg.CapabilityArg.Value);
        Assert.Equal("CAP_SYS_ADMIN", arg.CapabilityArg.Name);
    }

    [Theory]
    [InlineData(ArgType.KernelCapT, KprobeArgument.ArgOneofCase.KernelCapTArg)]
    [InlineData(ArgType.CapInheritable, KprobeArgument.ArgOneofCase.CapInheritableArg)]
    [InlineData(ArgType.CapPermitted, KprobeArgument.ArgOneofCase.CapPermittedArg)]
    [InlineData(ArgType.CapEffective, KprobeArgument.ArgOneofCase.CapEffectiveArg)]
    public void ACapabilitySetIsSixteenHexDigitsInTheFieldOfItsType(ArgType type, KprobeArgument.ArgOneofCase field)
    {
        var arg = KernelObjectDecoder.Decode(L.TypeKernelCap, type, Le64((1UL << 21) | 1));
        Assert.Equal(field, arg.ArgCase);
        Assert.Contains("\"0000000000200001\"", arg.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AUserNamespaceIsHostOnlyAtLevelZero()
    {
        var data = new byte[L.UserNsSize];
        BinaryPrimitives.WriteInt32LittleEndian(data, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), 1001);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), 4026532000);

        var ns = KernelObjectDecoder.Decode(L.TypeUserNs, ArgType.UserNamespace, data).UserNsArg;
        Assert.Equal((1, 1000u, 1001u, 4026532000u, false), (ns.Level, ns.Uid, ns.Gid, ns.Ns.Inum, ns.Ns.IsHost));

        data[0] = 0;
        Assert.True(KernelObjectDecoder.UserNamespace(data).Ns.IsHost);
    }

    [Fact]
    public void ABpfAttrNamesItsProgramType()
    {
        var data = new byte[L.BpfAttrSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 26);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 2048);
        Encoding.ASCII.GetBytes("generic_kprobe").CopyTo(data, 8);

        var attr = KernelObjectDecoder.Decode(L.TypeBpfAttr, ArgType.BpfAttr, data).BpfAttrArg;
        Assert.Equal(("BPF_PROG_TYPE_TRACING", 2048u, "generic_kprobe"), (attr.ProgType, attr.InsnCnt, attr.ProgName));
        Assert.Equal("BPF_PROG_TYPE_KPROBE", KernelObjectDecoder.ProgTypeName(2));
        Assert.Equal("BPF_PROG_TYPE_99", KernelObjectDecoder.ProgTypeName(99));
    }

    [Fact]
    public void ABpfMapKeepsItsSizesAndAFullSixteenByteName()
    {
        var data = new byte[L.BpfMapSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 27);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), 3192);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), 64);
        Encoding.ASCII.GetBytes("sixteen_bytes_xx").CopyTo(data, 16); // no NUL: the kernel's name may fill the field

        var map = KernelObjectDecoder.Decode(L.TypeBpfMap, ArgType.BpfMap, data).BpfMapArg;
        Assert.Equal(("BPF_MAP_TYPE_RINGBUF", 4u, 3192u, 64u, "sixteen_bytes_xx"), (map.MapType, map.KeySize, map.ValueSize, map.MaxEntries, map.MapName));
    }

    [Fact]
    public void AModuleListsOnlyItsModuleTaints()
    {
        var data = new byte[L.ModuleSize];
        Encoding.ASCII.GetBytes("dummy").CopyTo(data, 0);
        // proprietary (bit 0), out of tree (12), unsigned (13), and bit 9 (TAINT_WARN), which is no module taint
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(56), 1UL | (1UL << 12) | (1UL << 13) | (1UL << 9));

        var module = KernelObjectDecoder.Decode(L.TypeModule, ArgType.Module, data).ModuleArg;
        Assert.Equal("dummy", module.Name);
        Assert.Equal([TaintedBitsType.TaintProprietaryModule, TaintedBitsType.TaintOutOfTreeModule, TaintedBitsType.TaintUnsignedModule], module.Tainted);
        Assert.Null(module.SignatureOk);
    }

    [Fact]
    public void ABpfProgIsReportedLikeTheAttrThatLoadedIt()
    {
        var data = new byte[L.BpfAttrSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, 29);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 812);
        Encoding.ASCII.GetBytes("generic_lsm").CopyTo(data, 8);

        var prog = KernelObjectDecoder.Decode(L.TypeBpfProg, ArgType.BpfProg, data).BpfProgArg;
        Assert.Equal(("BPF_PROG_TYPE_LSM", 812u, "generic_lsm"), (prog.ProgType, prog.InsnCnt, prog.ProgName));
    }

    [Fact]
    public void APerfEventNamesItsFixedTypesAndItsKprobeFunction()
    {
        var data = new byte[L.PerfEventSize];
        Encoding.ASCII.GetBytes("security_file_permission").CopyTo(data, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(128), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(136), 0x10);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(144), 2);

        var perf = KernelObjectDecoder.Decode(L.TypePerfEvent, ArgType.PerfEvent, data).PerfEventArg;
        Assert.Equal(("security_file_permission", "PERF_TYPE_TRACEPOINT", 1UL, 0x10UL), (perf.KprobeFunc, perf.Type, perf.Config, perf.ProbeOffset));
        // A dynamic PMU (the kprobe PMU among them) has no fixed name: its number, not a wrong name.
        Assert.Equal("PERF_TYPE_BREAKPOINT", KernelObjectDecoder.PerfTypeName(5));
        Assert.Equal("6", KernelObjectDecoder.PerfTypeName(6));
    }

    [Fact]
    public void ALoadInfoIsAModuleWithItsSignatureVerdict()
    {
        var data = new byte[L.ModuleSize];
        Encoding.ASCII.GetBytes("dummy").CopyTo(data, 0);

        var unsigned = KernelObjectDecoder.Decode(L.TypeLoadInfo, ArgType.LoadInfo, data).ModuleArg;
        Assert.Equal(("dummy", false), (unsigned.Name, unsigned.SignatureOk));
        Assert.Empty(unsigned.Tainted);

        data[56] = 1;
        Assert.True(KernelObjectDecoder.Decode(L.TypeLoadInfo, ArgType.LoadInfo, data).ModuleArg.SignatureOk);
        data[56] = 2; // a kernel without CONFIG_MODULE_SIG checks nothing: no verdict, not "false"
        Assert.Null(KernelObjectDecoder.Decode(L.TypeLoadInfo, ArgType.LoadInfo, data).ModuleArg.SignatureOk);
    }

    [Fact]
    public void ANetDeviceIsItsName()
    {
        var arg = KernelObjectDecoder.Decode(L.TypeNetDevice, ArgType.NetDevice, "eth0"u8);
        Assert.Equal("eth0", arg.NetDevArg.Name);
    }

    [Fact]
    public void ShortCapturesGiveEmptyObjectsNotExceptions()
    {
        Assert.Equal("", KernelObjectDecoder.Decode(L.TypeBpfAttr, ArgType.BpfAttr, new byte[3]).BpfAttrArg.ProgName);
        Assert.Equal("", KernelObjectDecoder.Decode(L.TypeBpfMap, ArgType.BpfMap, []).BpfMapArg.MapName);
        Assert.Equal("", KernelObjectDecoder.Decode(L.TypeModule, ArgType.Module, new byte[10]).ModuleArg.Name);
        Assert.Equal("", KernelObjectDecoder.Decode(L.TypeBpfProg, ArgType.BpfProg, new byte[8]).BpfProgArg.ProgName);
        Assert.Equal("", KernelObjectDecoder.Decode(L.TypePerfEvent, ArgType.PerfEvent, new byte[140]).PerfEventArg.KprobeFunc);
        Assert.Null(KernelObjectDecoder.Decode(L.TypeLoadInfo, ArgType.LoadInfo, new byte[56]).ModuleArg.SignatureOk);
        Assert.Null(KernelObjectDecoder.Decode(L.TypeUserNs, ArgType.UserNamespace, []).UserNsArg.Level);
    }

    private static byte[] Le64(ulong value)
    {
        var data = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(data, value);
        return data;
    }
}
