using System.Runtime.InteropServices;

namespace Tetragon.Docker.Bpf.Interop;

/// <summary>libbpf's <c>struct bpf_uprobe_opts</c> as of 1.1 (sz, ref_ctr_offset, bpf_cookie, retprobe, func_name).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct UprobeOpts
{
    public nuint Size;
    public nuint RefCtrOffset;
    public ulong BpfCookie;
    public byte Retprobe;
    public nint FuncName;
}
