using System.Runtime.InteropServices;

namespace Tetragon.Docker.Bpf.Interop;

/// <summary>libbpf's <c>struct bpf_tracepoint_opts</c> (1.1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TracepointOpts
{
    public nuint Size;
    public ulong BpfCookie;
}
