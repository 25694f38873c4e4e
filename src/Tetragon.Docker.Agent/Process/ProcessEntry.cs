namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// One process image in the cache. <see cref="Refs"/> counts its own life plus its
/// cached children, so a parent outlives every child that still reports it.
/// </summary>
internal sealed class ProcessEntry(Api.Process process, ProcessEntry? parent, ulong cgroupId)
{
    public Api.Process Process { get; } = process;

    public ProcessEntry? Parent { get; private set; } = parent;

    public ulong CgroupId { get; } = cgroupId;

    public int Refs { get; set; } = 1;

    /// <summary>True while the container's metadata is still being fetched: its events wait.</summary>
    public bool ContainerPending { get; set; }

    /// <summary>Its place in the cache's recency order while its pid is in the table.</summary>
    internal LinkedListNode<uint>? RecencyNode { get; set; }

    /// <summary>Cuts the link to the parent (the cache trims an ancestry past its bound); returns the parent.</summary>
    internal ProcessEntry? DetachParent()
    {
        var parent = Parent;
        Parent = null;
        return parent;
    }

    public uint Pid => Process.Pid ?? 0;

    public string ExecId => Process.ExecId;
}
