using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>Finds tracefs (needed for tracepoint formats and ids); mounts it when the host has not.</summary>
public static class Tracefs
{
    private static readonly string[] Roots = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    public static string EventsRoot()
    {
        foreach (var root in Roots)
        {
            if (Directory.Exists(Path.Combine(root, "events")))
            {
                return Path.Combine(root, "events");
            }
        }

        if (Directory.Exists(Roots[0]) && LibC.Mount("nodev", Roots[0], "tracefs", 0, 0) == 0 && Directory.Exists(Path.Combine(Roots[0], "events")))
        {
            return Path.Combine(Roots[0], "events");
        }

        throw new IOException($"tracefs is not mounted and cannot be mounted at {Roots[0]} (errno {Marshal.GetLastPInvokeError()})");
    }
}
