using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>An attached program; disposing detaches it.</summary>
public sealed class BpfLink : SafeHandle
{
    internal BpfLink(nint link, string program)
        : base(0, ownsHandle: true)
    {
        SetHandle(link);
        Program = program;
    }

    public string Program { get; }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LibBpf.LinkDestroy(handle) == 0;
}
