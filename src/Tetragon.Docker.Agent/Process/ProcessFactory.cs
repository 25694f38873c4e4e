using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Process;

/// <summary>Builds Tetragon's Process message from a snapshot. The result is never mutated afterwards.</summary>
internal sealed class ProcessFactory(string nodeName, BootClock clock, HostNamespaces hostNamespaces, bool includeCredentials)
{
    /// <summary>Tetragon keeps the first 31 characters of the container id in Process.docker.</summary>
    public const int DockerIdLength = 31;

    private readonly Dictionary<ulong, Capabilities> capsCache = [];

    public string NodeName => nodeName;

    public BootClock Clock => clock;

    public string ExecId(ulong ktimeNs, uint pid) => Events.ExecId.Create(nodeName, ktimeNs, pid);

    /// <param name="flags">Tetragon's flag words, e.g. "execve rootcwd clone".</param>
    public Api.Process Build(ProcessSnapshot s, string flags, string? parentExecId, ContainerInfo? container)
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
            Arguments = ProcessArguments.Format(s.Argv),
            Flags = flags,
            StartTime = Timestamp.FromDateTimeOffset(clock.ToWallClock(s.KtimeNs)),
            ParentExecId = parentExecId ?? "",
            Cap = new Capabilities
            {
                Permitted = { CapabilityNames(s.CapPermitted) },
                Effective = { CapabilityNames(s.CapEffective) },
                Inheritable = { CapabilityNames(s.CapInheritable) },
            },
            Ns = BuildNamespaces(s.Namespaces),
        };
        if (includeCredentials)
        {
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

        SetContainer(process, container);
        return process;
    }

    /// <summary>A cloned child: the parent's image, its own pid, exec_id and start time.</summary>
    public Api.Process BuildClone(Api.Process parent, uint pid, ulong ktimeNs)
    {
        var child = parent.Clone();
        child.ExecId = ExecId(ktimeNs, pid);
        child.Pid = pid;
        child.Tid = pid;
        child.Flags = "clone";
        child.StartTime = Timestamp.FromDateTimeOffset(clock.ToWallClock(ktimeNs));
        child.ParentExecId = parent.ExecId;
        return child;
    }

    public static void SetContainer(Api.Process process, ContainerInfo? container)
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

        if (container.Pid is { } pid)
        {
            message.Pid = pid;
        }

        process.Container = message;
    }

    private IEnumerable<CapabilitiesType> CapabilityNames(ulong mask)
    {
        if (!capsCache.TryGetValue(mask, out var caps))
        {
            caps = new Capabilities();
            for (var bit = 0; bit < 64; bit++)
            {
                if ((mask & (1UL << bit)) != 0 && System.Enum.IsDefined(typeof(CapabilitiesType), bit))
                {
                    caps.Permitted.Add((CapabilitiesType)bit);
                }
            }

            if (capsCache.Count < 4096)
            {
                capsCache[mask] = caps;
            }
        }

        return caps.Permitted;
    }

    private Namespaces? BuildNamespaces(IReadOnlyList<uint> inums)
    {
        if (inums.Count == 0)
        {
            return null;
        }

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
