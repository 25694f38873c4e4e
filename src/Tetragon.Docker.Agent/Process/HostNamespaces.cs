namespace Tetragon.Docker.Agent.Process;

/// <summary>The host's namespace inodes (from /proc/1/ns with --pid=host), to set Namespace.is_host.</summary>
internal sealed class HostNamespaces
{
    public static readonly string[] ProcNames =
        ["uts", "ipc", "mnt", "pid", "pid_for_children", "net", "time", "time_for_children", "cgroup", "user"];

    private readonly uint[] inums;

    public HostNamespaces(IReadOnlyList<uint> inums)
    {
        this.inums = [.. inums];
    }

    /// <summary>Init's namespaces; our own where init's are unreadable (a sandbox: then we run on the host).</summary>
    public static HostNamespaces FromProc(string procRoot = "/proc")
    {
        var init = ReadNamespaces(procRoot, 1);
        return new(init.All(inum => inum == 0) ? ReadNamespaces(procRoot, (uint)Environment.ProcessId) : init);
    }

    /// <summary>The host's inode of the namespace at <paramref name="index"/> (ProcNames order, = NS_* in BPF); 0 unknown.</summary>
    public uint Inum(int index) => index >= 0 && index < inums.Length ? inums[index] : 0;

    public bool IsHost(NamespaceKind kind, uint inum) => inum != 0 && (int)kind < inums.Length && inums[(int)kind] == inum;

    /// <summary>Reads /proc/PID/ns/* links ("uts:[4026531838]"); 0 where unreadable.</summary>
    public static uint[] ReadNamespaces(string procRoot, uint pid)
    {
        var result = new uint[ProcNames.Length];
        for (var i = 0; i < ProcNames.Length; i++)
        {
            try
            {
                var target = new FileInfo($"{procRoot}/{pid}/ns/{ProcNames[i]}").LinkTarget;
                result[i] = ParseLink(target);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    public static uint ParseLink(string? target)
    {
        if (target is null)
        {
            return 0;
        }

        var open = target.IndexOf('[');
        var close = target.IndexOf(']');
        return open >= 0 && close > open && uint.TryParse(target.AsSpan(open + 1, close - open - 1), out var inum) ? inum : 0;
    }
}
