namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Everything the agent knows about one process at exec time, from BPF or from /proc,
/// before it becomes a <see cref="Api.Process"/> message.
/// </summary>
internal sealed record ProcessSnapshot
{
    public required uint Pid { get; init; }
    public required uint Ppid { get; init; }
    public required ulong KtimeNs { get; init; }
    public required string Binary { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public required string Cwd { get; init; }
    public required uint Uid { get; init; }
    public uint Gid { get; init; }
    public uint Euid { get; init; }
    public uint Egid { get; init; }
    public uint Suid { get; init; }
    public uint Sgid { get; init; }
    public uint FsUid { get; init; }
    public uint FsGid { get; init; }
    public uint Auid { get; init; } = uint.MaxValue;
    public ulong CapPermitted { get; init; }
    public ulong CapEffective { get; init; }
    public ulong CapInheritable { get; init; }

    /// <summary>Inode numbers in <see cref="NamespaceKind"/> order; 0 = unknown.</summary>
    public IReadOnlyList<uint> Namespaces { get; init; } = [];
    public ulong CgroupId { get; init; }

    /// <summary>The executed file's inode, and its links (0: a memfd or deleted file); null links: unknown (/proc).</summary>
    public ulong BinaryInode { get; init; }

    public uint? BinaryLinks { get; init; }

    /// <summary>The kernel marked the exec privileged (bprm->per_clear or secureexec): setuid, setgid or file capabilities.</summary>
    public bool PrivilegedExec { get; init; }

    /// <summary>Its pid in its own pid namespace (the container's view); 0 = unknown.</summary>
    public uint NsPid { get; init; }

    /// <summary>The inode of its pid namespace; 0 = unknown.</summary>
    public uint PidNamespace => Namespaces.Count > (int)NamespaceKind.Pid ? Namespaces[(int)NamespaceKind.Pid] : 0;

    /// <summary>Tetragon's flag words besides execve/procFS/clone (e.g. truncArgs).</summary>
    public IReadOnlyList<string> ExtraFlags { get; init; } = [];

    /// <summary>"KEY=VALUE" entries of the exec's environment (--enable-process-environment-variables).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
}
