using System.Runtime.InteropServices;

namespace Tetragon.Docker.Bpf.Interop;

/// <summary>libbpf's <c>struct bpf_kprobe_opts</c> as of 1.1 (sz, bpf_cookie, offset, retprobe).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KprobeOpts
{
    public nuint Size;
    public ulong BpfCookie;
    public nuint Offset;
    public byte Retprobe;
}
