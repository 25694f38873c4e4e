namespace Tetragon.Docker.Agent.Docker;

/// <summary>What the cgroup index knows about one cgroup id.</summary>
public enum CgroupLookup
{
    /// <summary>Not seen yet: a cgroup created after the last scan.</summary>
    Unknown,

    /// <summary>A cgroup outside every container: host processes.</summary>
    Host,

    /// <summary>A container's cgroup or one of its children.</summary>
    Container,
}
