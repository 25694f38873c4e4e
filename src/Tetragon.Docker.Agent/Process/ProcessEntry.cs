namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// One process image in the cache. <see cref="Refs"/> counts its own life plus its
/// cached children, so a parent outlives every child that still reports it.
/// </summary>
internal sealed class ProcessEntry(Api.Process process, ProcessEntry? parent, ulong cgroupId)
{
    public Api.Process Process { get; } = process;

    public ProcessEntry? Parent { get; } = parent;

    public ulong CgroupId { get; } = cgroupId;

    public int Refs { get; set; } = 1;

    /// <summary>True while the container's metadata is still being fetched: its events wait.</summary>
    public bool ContainerPending { get; set; }

    public uint Pid => Process.Pid ?? 0;

    public string ExecId => Process.ExecId;
}
