namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// Finds the Docker container id in a cgroup path. Forms recognised, at any depth:
/// cgroupfs driver <c>/docker/&lt;64 hex&gt;</c> (cgroup v1, hybrid unified hierarchy, pure v2) and
/// systemd driver <c>/system.slice/docker-&lt;64 hex&gt;.scope</c> (also rootless, under user.slice).
/// Child cgroups of a container (<c>/docker/&lt;id&gt;/init</c>) and docker-in-docker
/// (<c>/docker/&lt;outer&gt;/docker/&lt;inner&gt;</c>) belong to the outermost container: that is the
/// one the host's dockerd knows. Other runtimes' paths (kubepods, containerd, crio) are not Docker's.
/// </summary>
public static class CgroupPathParser
{
    public const int IdLength = 64;

    private const string ScopePrefix = "docker-";
    private const string ScopeSuffix = ".scope";

    /// <summary>The 64-hex container id, or null when the path is not inside a Docker container's cgroup.</summary>
    public static string? ContainerIdOf(string? cgroupPath)
    {
        if (string.IsNullOrEmpty(cgroupPath))
        {
            return null;
        }

        var previous = ReadOnlySpan<char>.Empty;
        foreach (var range in cgroupPath.AsSpan().Split('/'))
        {
            var segment = cgroupPath.AsSpan()[range];
            if (segment.IsEmpty)
            {
                continue;
            }

            if (previous.SequenceEqual("docker") && IsId(segment))
            {
                return segment.ToString();
            }

            if (segment.Length == ScopePrefix.Length + IdLength + ScopeSuffix.Length
                && segment.StartsWith(ScopePrefix, StringComparison.Ordinal)
                && segment.EndsWith(ScopeSuffix, StringComparison.Ordinal)
                && IsId(segment.Slice(ScopePrefix.Length, IdLength)))
            {
                return segment.Slice(ScopePrefix.Length, IdLength).ToString();
            }

            previous = segment;
        }

        return null;
    }

    /// <summary>True for a directory name that is itself a container's cgroup (not one of its children).</summary>
    public static bool IsContainerDirectory(string name) =>
        IsId(name) || (name.Length == ScopePrefix.Length + IdLength + ScopeSuffix.Length
            && name.StartsWith(ScopePrefix, StringComparison.Ordinal)
            && name.EndsWith(ScopeSuffix, StringComparison.Ordinal)
            && IsId(name.AsSpan(ScopePrefix.Length, IdLength)));

    private static bool IsId(ReadOnlySpan<char> text)
    {
        if (text.Length != IdLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
