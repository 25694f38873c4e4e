using System.Runtime.InteropServices;
using Tetragon.Docker.Agent.Sensors;

namespace Tetragon.Docker.Agent.Tests;

public sealed class CgroupRateLayoutsTests
{
    [Fact]
    public void LayoutsMatchTheBpfStructs()
    {
        // sizeof() of bpf/lib/rate.h's structs.
        Assert.Equal(16, Marshal.SizeOf<CgroupRateConfig>());
        Assert.Equal(32, Marshal.SizeOf<CgroupRateState>());
        Assert.Equal(24, Marshal.OffsetOf<CgroupRateState>(nameof(CgroupRateState.Throttled)).ToInt32());
        Assert.Equal(104, Marshal.SizeOf<CgroupThrottle>());
    }
}
