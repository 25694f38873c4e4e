namespace Tetragon.Docker.Agent.Process;

/// <summary>Order of namespaces in BPF's ns[] array (bpf/lib/process.h) and in /proc/PID/ns.</summary>
internal enum NamespaceKind
{
    Uts,
    Ipc,
    Mnt,
    Pid,
    PidForChildren,
    Net,
    Time,
    TimeForChildren,
    Cgroup,
    User,
}
