using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Builds Tetragon's Process message from a snapshot. The result is never mutated afterwards.
/// As in Tetragon, capabilities and credentials come with --enable-process-cred and namespaces
/// with --enable-process-ns: without them a root process's event is a fifth of the size.
/// Arguments pass through --redaction-filters here, once per process, before any event holds them.
/// </summary>
internal sealed class ProcessFactory(string nodeName, BootClock clock, HostNamespaces hostNamespaces, bool includeCredentials, bool includeNamespaces, ArgumentRedaction? redaction = null)
{
    private readonly ArgumentRedaction redaction = redaction ?? ArgumentRedaction.None;

    /// <summary>--enable-process-environment-variables: which variables exec events carry; null: none.</summary>
    public EnvironmentFilter? Environment { get; init; }

    /// <summary>--username-metadata=unix: user.name for host processes; null: off (Tetragon's default).</summary>
    public UserNames? UserNames { get; init; }

    /// <summary>Tetragon keeps the first 31 characters of the container id in Process.docker.</summary>
    public const int DockerIdLength = 31;

    /// <summary>CAP_CHECKPOINT_RESTORE, the highest capability Tetragon names.</summary>
    private const int MaxCapability = 40;

    private readonly Dictionary<(ulong, ulong, ulong), Capabilities> capsCache = [];
    private readonly Dictionary<string, Namespaces> nsCache = [];

    public string NodeName => nodeName;

    public BootClock Clock => clock;

    private readonly byte[] execIdPrefix = Events.ExecId.NodePrefix(nodeName);

    public string ExecId(ulong ktimeNs, uint pid) => Events.ExecId.Create(execIdPrefix, ktimeNs, pid);

    /// <param name="flags">Tetragon's flag words, e.g. "execve rootcwd clone".</param>
    /// <param name="inInitTree">See <see cref="InitTree"/>; null leaves the field out.</param>
    public Api.Process Build(ProcessSnapshot s, string flags, string? parentExecId, ContainerInfo? container, bool? inInitTree = null)
    {
        var cwd = s.Cwd;
        var process = new Api.Process
        {
            ExecId = ExecId(s.KtimeNs, s.Pid),
            Pid = s.Pid,
            Tid = s.Pid,
            Uid = s.Euid,
            Auid = s.Auid,
            Cwd = cwd,
            Binary = s.Binary,
            Arguments = Arguments(s),
            Flags = flags,
            StartTime = Timestamp.FromDateTimeOffset(clock.ToWallClock(s.KtimeNs)),
            ParentExecId = parentExecId ?? "",
            InInitTree = inInitTree,
        };
        if (includeNamespaces)
        {
            process.Ns = NamespacesOf(s.Namespaces);
        }

        if (includeCredentials)
        {
            process.Cap = CapabilitiesOf(s.CapPermitted, s.CapEffective, s.CapInheritable);
            process.ProcessCredentials = new ProcessCredentials
            {
                Uid = s.Uid,
                Gid = s.Gid,
                Euid = s.Euid,
                Egid = s.Egid,
                Suid = s.Suid,
                Sgid = s.Sgid,
                Fsuid = s.FsUid,
                Fsgid = s.FsGid,
            };
        }

        process.BinaryProperties = BinaryPropertiesOf(s, includeCredentials);
        if (UserNames is not null && InHostMountAndUserNamespaces(s))
        {
            process.User = UserNames.Of(process.Uid ?? 0);
        }

        if (Environment is not null && s.Environment.Count > 0)
        {
            process.EnvironmentVariables.AddRange(Environment.Select(s.Binary, s.Environment));
        }

        SetContainer(process, container, s.NsPid);
        return process;
    }

    /// <summary>
    /// Tetragon's binary_properties: a fileless exec (the file has no links: a memfd or a deleted
    /// file) and, with --enable-process-cred as in Tetragon, how a privileged exec changed the
    /// credentials. Exec changes neither real id, so the set-user-ID is the new effective uid when
    /// it differs from the real one; a privileged exec that changed neither raised capabilities
    /// through the file's. Null when there is nothing to say.
    /// </summary>
    internal static BinaryProperties? BinaryPropertiesOf(ProcessSnapshot s, bool includeCredentials)
    {
        BinaryProperties? properties = null;
        if (s.BinaryLinks == 0)
        {
            properties = new BinaryProperties { File = new FileProperties { Inode = new InodeProperties { Number = s.BinaryInode, Links = 0 } } };
        }

        if (!includeCredentials || !s.PrivilegedExec)
        {
            return properties;
        }

        properties ??= new BinaryProperties();
        if (s.Euid != s.Uid)
        {
            properties.Setuid = s.Euid;
            if (s.Uid != 0 && s.Euid == 0)
            {
                properties.PrivilegesChanged.Add(ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetuid);
            }
        }

        if (s.Egid != s.Gid)
        {
            properties.Setgid = s.Egid;
            if (s.Gid != 0 && s.Egid == 0)
            {
                properties.PrivilegesChanged.Add(ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetgid);
            }
        }

        if (s.Euid == s.Uid && s.Egid == s.Gid)
        {
            properties.PrivilegesChanged.Add(ProcessPrivilegesChanged.PrivilegesRaisedExecFileCap);
        }

        return properties;
    }

    private bool InHostMountAndUserNamespaces(ProcessSnapshot s) =>
        s.Namespaces.Count > (int)NamespaceKind.User
        && hostNamespaces.IsHost(NamespaceKind.Mnt, s.Namespaces[(int)NamespaceKind.Mnt])
        && hostNamespaces.IsHost(NamespaceKind.User, s.Namespaces[(int)NamespaceKind.User]);

    private string Arguments(ProcessSnapshot s)
    {
        var arguments = ProcessArguments.Format(s.Argv);
        return redaction.IsEmpty ? arguments : redaction.Redact(s.Binary, arguments);
    }

    /// <summary>
    /// A cloned child: the parent's image, its own pid, exec_id and start time. Sub-messages are
    /// shared, never copied, but for the container, which holds the child's own pid in it.
    /// </summary>
    public Api.Process BuildClone(Api.Process parent, uint pid, ulong ktimeNs, uint nsPid, bool? inInitTree) => new()
    {
        ExecId = ExecId(ktimeNs, pid),
        Pid = pid,
        Tid = pid,
        Uid = parent.Uid,
        Auid = parent.Auid,
        Cwd = parent.Cwd,
        Binary = parent.Binary,
        Arguments = parent.Arguments,
        Flags = "clone",
        StartTime = Timestamp.FromDateTimeOffset(clock.ToWallClock(ktimeNs)),
        ParentExecId = parent.ExecId,
        Docker = parent.Docker,
        Container = WithPid(parent.Container, nsPid),
        InInitTree = inInitTree,
        Cap = parent.Cap,
        Ns = parent.Ns,
        ProcessCredentials = parent.ProcessCredentials,
        User = parent.User,
        BinaryProperties = parent.BinaryProperties,
        EnvironmentVariables = { parent.EnvironmentVariables },
    };

    private static readonly SecurityContext PrivilegedContext = new() { Privileged = true };

    private static Container? WithPid(Container? container, uint nsPid)
    {
        if (container is null || nsPid == 0 || container.Pid == nsPid)
        {
            return container;
        }

        var copy = container.Clone();
        copy.Pid = nsPid;
        return copy;
    }

    /// <param name="nsPid">The process's pid in its own pid namespace: Tetragon's container.pid; 0 = unknown.</param>
    public static void SetContainer(Api.Process process, ContainerInfo? container, uint nsPid)
    {
        if (container is null)
        {
            process.Docker = "";
            process.Container = null;
            return;
        }

        process.Docker = container.Id.Length > DockerIdLength ? container.Id[..DockerIdLength] : container.Id;
        var message = new Container
        {
            Id = container.Id,
            Name = container.Name,
            Image = new Image { Id = container.ImageId, Name = container.ImageName },
            Labels = { container.Labels.ToDictionary() },
        };
        if (container.StartTime is { } start)
        {
            message.StartTime = Timestamp.FromDateTimeOffset(start);
        }

        if (nsPid != 0)
        {
            message.Pid = nsPid;
        }

        if (container.Privileged)
        {
            message.SecurityContext = PrivilegedContext; // `docker run --privileged`: every capability, every device
        }

        process.Container = message;
    }

    /// <summary>Shared by every process with the same sets: messages are never mutated once built.</summary>
    private Capabilities CapabilitiesOf(ulong permitted, ulong effective, ulong inheritable)
    {
        var key = (permitted, effective, inheritable);
        if (!capsCache.TryGetValue(key, out var caps))
        {
            caps = new Capabilities
            {
                Permitted = { CapabilityNames(permitted) },
                Effective = { CapabilityNames(effective) },
                Inheritable = { CapabilityNames(inheritable) },
            };
            if (capsCache.Count < 4096)
            {
                capsCache[key] = caps;
            }
        }

        return caps;
    }

    /// <summary>The host's namespaces, for is_host.</summary>
    public HostNamespaces HostNamespaces => hostNamespaces;

    internal static IEnumerable<CapabilitiesType> CapabilityNames(ulong mask)
    {
        for (var bit = 0; bit <= MaxCapability; bit++)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                yield return (CapabilitiesType)bit;
            }
        }
    }

    private Namespaces? NamespacesOf(IReadOnlyList<uint> inums)
    {
        if (inums.Count == 0)
        {
            return null;
        }

        var key = string.Join(',', inums);
        if (!nsCache.TryGetValue(key, out var ns))
        {
            ns = BuildNamespaces(inums);
            if (nsCache.Count < 4096)
            {
                nsCache[key] = ns;
            }
        }

        return ns;
    }

    private Namespaces BuildNamespaces(IReadOnlyList<uint> inums)
    {
        Namespace? Ns(NamespaceKind kind)
        {
            var inum = (int)kind < inums.Count ? inums[(int)kind] : 0;
            return inum == 0 ? null : new Namespace { Inum = inum, IsHost = hostNamespaces.IsHost(kind, inum) };
        }

        return new Namespaces
        {
            Uts = Ns(NamespaceKind.Uts),
            Ipc = Ns(NamespaceKind.Ipc),
            Mnt = Ns(NamespaceKind.Mnt),
            Pid = Ns(NamespaceKind.Pid),
            PidForChildren = Ns(NamespaceKind.PidForChildren),
            Net = Ns(NamespaceKind.Net),
            Time = Ns(NamespaceKind.Time),
            TimeForChildren = Ns(NamespaceKind.TimeForChildren),
            Cgroup = Ns(NamespaceKind.Cgroup),
            User = Ns(NamespaceKind.User),
        };
    }
}
