namespace Tetragon.Docker.Agent.Sensors;

/// <summary>The generic sensor's hook families, one BPF object each.</summary>
internal enum GenericFamily
{
    Syscall,
    Tracepoint,
    Uprobe,
    Kprobe,
}
