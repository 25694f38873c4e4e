namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// One process image in the cache. <see cref="Refs"/> counts its own life plus its
/// cached children, so a parent outlives every child that still reports it.
/// </summary>
internal sealed class ProcessEntry
{
    private Api.Process? process;
    private Func<Api.Process>? build;

    public ProcessEntry(Api.Process process, ProcessEntry? parent, ulong cgroupId)
    {
        this.process = process;
        Pid = process.Pid ?? 0;
        Parent = parent;
        CgroupId = cgroupId;
    }

    /// <summary>
    /// A forked child, whose image is built on first use: nearly every fork is followed by an exec
    /// that replaces it before any event needs it.
    /// </summary>
    public ProcessEntry(uint pid, Func<Api.Process> build, ProcessEntry? parent, ulong cgroupId)
    {
        this.build = build;
        Pid = pid;
        Parent = parent;
        CgroupId = cgroupId;
        IsClone = true;
    }

    public Api.Process Process
    {
        get
        {
            if (process is null)
            {
                process = build!();
                build = null;
            }

            return process;
        }
    }

    /// <summary>Made by a fork, not (yet) replaced by an exec.</summary>
    public bool IsClone { get; }

    public ProcessEntry? Parent { get; private set; }

    public ulong CgroupId { get; }

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

    public uint Pid { get; }

    /// <summary>Its pid namespace's inode (0 unknown) and its pid there.</summary>
    public uint PidNamespace { get; set; }

    public uint NsPid { get; set; }

    /// <summary>Tetragon's in_init_tree; null outside a container's pid namespace.</summary>
    public bool? InInitTree { get; set; }

    public string ExecId => Process.ExecId;
}
