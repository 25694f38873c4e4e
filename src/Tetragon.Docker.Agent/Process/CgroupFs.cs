using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// The cgroup v2 hierarchy whose directory inodes are BPF's cgroup ids:
/// /sys/fs/cgroup/unified on hybrid hosts, /sys/fs/cgroup on pure v2 hosts.
/// </summary>
public sealed class CgroupFs(string? root)
{
    /// <summary>Null when no cgroup2 hierarchy is mounted (then every cgroup id is unknown).</summary>
    public string? Root { get; } = root;

    public static CgroupFs Detect(string mountInfo = "/proc/self/mountinfo")
    {
        try
        {
            foreach (var line in File.ReadLines(mountInfo))
            {
                // "36 25 0:31 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw"
                var sep = line.IndexOf(" - ", StringComparison.Ordinal);
                if (sep < 0 || !line.AsSpan(sep + 3).StartsWith("cgroup2 "))
                {
                    continue;
                }

                var fields = line[..sep].Split(' ');
                if (fields.Length > 4)
                {
                    return new CgroupFs(fields[4].Replace("\\040", " ", StringComparison.Ordinal));
                }
            }
        }
        catch (IOException)
        {
        }

        return new CgroupFs(null);
    }

    /// <summary>The cgroup v2 path of a process from /proc/PID/cgroup (the "0::" line).</summary>
    public static string? ReadProcCgroupPath(string procRoot, uint pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"{procRoot}/{pid}/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                {
                    return line[3..];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>cgroup id (inode) of a path in the hierarchy, 0 when unknown.</summary>
    public ulong IdOf(string cgroupPath)
    {
        if (Root is null || cgroupPath.Contains("..", StringComparison.Ordinal))
        {
            return 0;
        }

        return FileInode.TryGet(Root + cgroupPath.TrimEnd('/'), out var inode) ? inode : 0;
    }

    public ulong IdOfPid(string procRoot, uint pid) => ReadProcCgroupPath(procRoot, pid) is { } path ? IdOf(path) : 0;
}
