namespace Tetragon.Docker.Policy.Plan;

public enum NamespaceType
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
