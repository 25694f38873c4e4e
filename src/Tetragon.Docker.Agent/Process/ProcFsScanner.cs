using System.Globalization;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Process;

/// <summary>Reads processes that existed before the agent started (Tetragon's "procFS" entries).</summary>
internal sealed class ProcFsScanner(string procRoot, CgroupFs cgroups)
{
    private const ulong NsPerClockTick = 10_000_000; // USER_HZ = 100 on Linux

    /// <summary>Every readable process, parents before children (by start time).</summary>
    public List<ProcessSnapshot> Scan()
    {
        var result = new List<ProcessSnapshot>();
        foreach (var (pid, _) in Processes(procRoot))
        {
            if (Read(pid) is { } snapshot)
            {
                result.Add(snapshot);
            }
        }

        result.Sort((a, b) => a.KtimeNs != b.KtimeNs ? a.KtimeNs.CompareTo(b.KtimeNs) : a.Pid.CompareTo(b.Pid));
        return result;
    }

    /// <summary>The process directories of a procfs mount: /proc/PID and its pid.</summary>
    public static IEnumerable<(uint Pid, string Dir)> Processes(string procRoot)
    {
        foreach (var dir in Directory.EnumerateDirectories(procRoot))
        {
            if (uint.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return (pid, dir);
            }
        }
    }

    /// <summary>Whether the process (or thread) is still there.</summary>
    public bool Exists(uint pid) => Directory.Exists($"{procRoot}/{pid}");

    /// <summary>One process, or null if it is gone or a kernel thread we cannot describe.</summary>
    public ProcessSnapshot? Read(uint pid)
    {
        try
        {
            var dir = $"{procRoot}/{pid}";
            var stat = File.ReadAllText($"{dir}/stat");
            // comm may hold spaces and parentheses: fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ppid = uint.Parse(fields[1], CultureInfo.InvariantCulture);
            var startTicks = ulong.Parse(fields[19], CultureInfo.InvariantCulture);
            var status = ParseStatus(File.ReadAllLines($"{dir}/status"));
            var argv = ProcessArguments.Split(File.ReadAllBytes($"{dir}/cmdline"));
            var binary = ReadLink($"{dir}/exe");
            if (binary is null)
            {
                // Kernel threads have no exe: Tetragon reports them by name.
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                binary = comm;
                argv = [comm];
            }

            return new ProcessSnapshot
            {
                Pid = pid,
                Ppid = ppid,
                KtimeNs = startTicks * NsPerClockTick,
                Binary = binary,
                Argv = argv,
                Cwd = ReadLink($"{dir}/cwd") ?? "/",
                Uid = status.Uid[0],
                Euid = status.Uid[1],
                Suid = status.Uid[2],
                FsUid = status.Uid[3],
                Gid = status.Gid[0],
                Egid = status.Gid[1],
                Sgid = status.Gid[2],
                FsGid = status.Gid[3],
                Auid = ReadUInt($"{dir}/loginuid") ?? uint.MaxValue,
                CapPermitted = status.CapPrm,
                CapEffective = status.CapEff,
                CapInheritable = status.CapInh,
                Namespaces = HostNamespaces.ReadNamespaces(procRoot, pid),
                CgroupId = cgroups.IdOfPid(procRoot, pid),
                NsPid = status.NsPid,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // exited while we read it
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            var target = new FileInfo(path).LinkTarget;
            return target?.EndsWith(" (deleted)", StringComparison.Ordinal) == true ? target[..^10] : target;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static uint? ReadUInt(string path)
    {
        try
        {
            return uint.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static (uint[] Uid, uint[] Gid, ulong CapInh, ulong CapPrm, ulong CapEff, uint NsPid) ParseStatus(string[] lines)
    {
        uint[] uid = [0, 0, 0, 0], gid = [0, 0, 0, 0];
        ulong inh = 0, prm = 0, eff = 0;
        uint nsPid = 0;
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            switch (line[..colon])
            {
                case "Uid": uid = ParseIds(value); break;
                case "Gid": gid = ParseIds(value); break;
                case "CapInh": inh = ulong.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture); break;
                case "CapPrm": prm = ulong.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture); break;
                case "CapEff": eff = ulong.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture); break;
                case "NSpid": nsPid = ParseIds(value)[^1]; break; // outermost first: the last is its own namespace's
            }
        }

        return (uid, gid, inh, prm, eff, nsPid);
    }

    private static uint[] ParseIds(string value) =>
        [.. value.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Select(v => uint.Parse(v, CultureInfo.InvariantCulture))];
}
