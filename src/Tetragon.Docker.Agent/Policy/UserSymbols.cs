using System.Buffers.Binary;
using System.Globalization;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Names user-space return addresses (userStackTrace) as Tetragon does: the file mapped at the
/// address in /proc/&lt;pid&gt;/maps (module), the offset into that file, and the function symbol
/// that holds it. Files are read through /proc/&lt;pid&gt;/root, so a container's libraries are
/// its own; their symbol tables are kept per device and inode. A process already gone leaves
/// bare addresses, as it does in Tetragon.
/// </summary>
internal sealed class UserSymbols(string procRoot = "/proc")
{
    private const int MaxCachedFiles = 128;

    private readonly Dictionary<(string Device, ulong Inode), ElfFunctions?> files = [];

    public void Resolve(uint pid, ReadOnlySpan<byte> frames, ICollection<StackTraceEntry> trace)
    {
        var maps = ReadMaps(pid);
        for (var i = 0; i + 8 <= frames.Length; i += 8)
        {
            var address = BinaryPrimitives.ReadUInt64LittleEndian(frames[i..]);
            if (address == 0)
            {
                break;
            }

            var entry = new StackTraceEntry { Address = address };
            if (maps.FirstOrDefault(m => address >= m.Start && address < m.End) is { Path: not null } map)
            {
                entry.Module = map.Path;
                entry.Offset = address - map.Start + map.FileOffset;
                if (map.Path.StartsWith('/') && Functions(pid, map) is { } functions)
                {
                    entry.Symbol = functions.NameAt(entry.Offset) ?? "";
                }
            }

            trace.Add(entry);
        }
    }

    private ElfFunctions? Functions(uint pid, Mapping map)
    {
        var key = (map.Device, map.Inode);
        if (!files.TryGetValue(key, out var functions))
        {
            if (files.Count >= MaxCachedFiles)
            {
                files.Clear();
            }

            functions = ElfFunctions.Read(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "root") + map.Path);
            files[key] = functions;
        }

        return functions;
    }

    private List<Mapping> ReadMaps(uint pid)
    {
        var maps = new List<Mapping>();
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "maps")))
            {
                if (Mapping.Parse(line) is { } map)
                {
                    maps.Add(map);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is gone: its frames keep their addresses.
        }

        return maps;
    }

    /// <summary>One line of /proc/pid/maps: "start-end perms offset dev inode [path]".</summary>
    internal sealed record Mapping(ulong Start, ulong End, ulong FileOffset, string Device, ulong Inode, string? Path)
    {
        public static Mapping? Parse(string line)
        {
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5)
            {
                return null;
            }

            var range = parts[0].Split('-');
            if (range.Length != 2
                || !ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                || !ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)
                || !ulong.TryParse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var offset)
                || !ulong.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                return null;
            }

            var path = parts.Length > 5 ? parts[5].Trim() : null;
            return new Mapping(start, end, offset, parts[3], inode, string.IsNullOrEmpty(path) ? null : path);
        }
    }
}
