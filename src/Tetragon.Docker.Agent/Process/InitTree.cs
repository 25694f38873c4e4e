namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Tetragon's in_init_tree: whether a containerized process descends from its container's pid 1.
/// A process that `docker exec` put into the container does not: runc forks it from outside the
/// container's pid namespace, so its parent lives in another namespace. Decided from kernel facts
/// alone (pid namespace and the pid in it), so it holds before Docker has named the container.
/// </summary>
internal static class InitTree
{
    /// <summary>Null for a process in the host's pid namespace (not containerized) or of unknown namespace.</summary>
    public static bool? Of(uint pidNamespace, uint nsPid, ProcessEntry? parent, HostNamespaces host)
    {
        if (pidNamespace == 0 || host.IsHost(NamespaceKind.Pid, pidNamespace))
        {
            return null;
        }

        if (nsPid == 1)
        {
            return true;
        }

        return parent is not null && parent.PidNamespace == pidNamespace && parent.InInitTree == true;
    }
}
