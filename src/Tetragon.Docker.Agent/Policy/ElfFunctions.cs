using System.Buffers.Binary;
using System.Text;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// The function symbols of a 64-bit little-endian ELF file (.symtab, else .dynsym for a stripped
/// file) and its loadable segments, to name a file offset: the offset is placed in the segment
/// that maps it, then in the function whose range holds that address.
/// </summary>
internal sealed class ElfFunctions
{
    private const uint PtLoad = 1;
    private const uint ShtSymtab = 2;
    private const uint ShtDynsym = 11;
    private const int SttFunc = 2;
    private const int SttGnuIfunc = 10;

    private readonly (ulong Offset, ulong FileSize, ulong Address)[] segments;
    private readonly ulong[] starts;
    private readonly ulong[] sizes;
    private readonly string[] names;

    private ElfFunctions((ulong, ulong, ulong)[] segments, List<(ulong Start, ulong Size, string Name)> functions)
    {
        this.segments = segments;
        functions.Sort((a, b) => a.Start.CompareTo(b.Start));
        starts = [.. functions.Select(f => f.Start)];
        sizes = [.. functions.Select(f => f.Size)];
        names = [.. functions.Select(f => f.Name)];
    }

    public int Count => starts.Length;

    /// <summary>The file's functions; null when it cannot be read or is no 64-bit little-endian ELF.</summary>
    public static ElfFunctions? Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return Read(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            return null;
        }
    }

    public static ElfFunctions? Read(Stream file)
    {
        var header = ReadAt(file, 0, 64);
        if (header.Length < 64 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F'
            || header[4] != 2 || header[5] != 1)
        {
            return null;
        }

        var phoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20));
        var shoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3c));

        var segments = new List<(ulong, ulong, ulong)>();
        var ph = ReadAt(file, phoff, phnum * 56);
        for (var i = 0; i + 56 <= ph.Length; i += 56)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph.AsSpan(i)) == PtLoad)
            {
                segments.Add((BinaryPrimitives.ReadUInt64LittleEndian(ph.AsSpan(i + 8)),
                    BinaryPrimitives.ReadUInt64LittleEndian(ph.AsSpan(i + 32)),
                    BinaryPrimitives.ReadUInt64LittleEndian(ph.AsSpan(i + 16))));
            }
        }

        var sections = ReadAt(file, shoff, shnum * 64);
        var functions = ReadFunctions(file, sections, ShtSymtab);
        if (functions.Count == 0)
        {
            functions = ReadFunctions(file, sections, ShtDynsym);
        }

        return new ElfFunctions([.. segments], functions);
    }

    /// <summary>The function holding this offset of the file, or null.</summary>
    public string? NameAt(ulong fileOffset)
    {
        var segment = Array.FindIndex(segments, s => fileOffset >= s.Offset && fileOffset < s.Offset + s.FileSize);
        if (segment < 0)
        {
            return null;
        }

        var address = fileOffset - segments[segment].Offset + segments[segment].Address;
        var i = Array.BinarySearch(starts, address);
        if (i < 0)
        {
            i = ~i - 1;
        }

        // Several symbols may share a start (aliases); any one that covers the address will do.
        for (; i >= 0 && starts[i] <= address; i--)
        {
            if (address < starts[i] + Math.Max(sizes[i], 1))
            {
                return names[i];
            }

            if (i > 0 && starts[i - 1] != starts[i])
            {
                break;
            }
        }

        return null;
    }

    private static List<(ulong, ulong, string)> ReadFunctions(Stream file, byte[] sections, uint type)
    {
        var functions = new List<(ulong, ulong, string)>();
        for (var i = 0; i + 64 <= sections.Length; i += 64)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(sections.AsSpan(i + 4)) != type)
            {
                continue;
            }

            var symbols = ReadAt(file, BinaryPrimitives.ReadUInt64LittleEndian(sections.AsSpan(i + 24)), (long)BinaryPrimitives.ReadUInt64LittleEndian(sections.AsSpan(i + 32)));
            var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sections.AsSpan(i + 40));
            if ((link + 1) * 64 > sections.Length)
            {
                continue;
            }

            var strings = ReadAt(file, BinaryPrimitives.ReadUInt64LittleEndian(sections.AsSpan((link * 64) + 24)), (long)BinaryPrimitives.ReadUInt64LittleEndian(sections.AsSpan((link * 64) + 32)));
            for (var s = 0; s + 24 <= symbols.Length; s += 24)
            {
                var kind = symbols[s + 4] & 0xf;
                var shndx = BinaryPrimitives.ReadUInt16LittleEndian(symbols.AsSpan(s + 6));
                var value = BinaryPrimitives.ReadUInt64LittleEndian(symbols.AsSpan(s + 8));
                if ((kind != SttFunc && kind != SttGnuIfunc) || shndx == 0 || value == 0)
                {
                    continue;
                }

                var nameAt = (int)BinaryPrimitives.ReadUInt32LittleEndian(symbols.AsSpan(s));
                if (nameAt >= strings.Length)
                {
                    continue;
                }

                var end = Array.IndexOf(strings, (byte)0, nameAt);
                functions.Add((value, BinaryPrimitives.ReadUInt64LittleEndian(symbols.AsSpan(s + 16)), Encoding.UTF8.GetString(strings, nameAt, (end < 0 ? strings.Length : end) - nameAt)));
            }
        }

        return functions;
    }

    /// <summary>Up to 64 MiB from an offset; fewer bytes when the file is shorter (a truncated file reads as empty tables).</summary>
    private static byte[] ReadAt(Stream file, ulong offset, long count)
    {
        if (count <= 0 || offset >= (ulong)file.Length)
        {
            return [];
        }

        count = Math.Min(Math.Min(count, 64L << 20), file.Length - (long)offset);
        var buffer = new byte[count];
        file.Position = (long)offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
