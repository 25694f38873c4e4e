using System.Globalization;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Names kernel addresses from /proc/kallsyms (kernelStackTrace): the symbol at or below an
/// address, the offset into it, and its module for [module] symbols, as Tetragon's
/// StackTraceEntry has them. Read once, on the first stack; addresses it cannot name (kallsyms
/// hidden by kptr_restrict shows zeros) keep an empty symbol.
/// </summary>
internal sealed class KernelSymbols
{
    private readonly ulong[] addresses;
    private readonly string[] names;
    private readonly string[] modules;

    private KernelSymbols(ulong[] addresses, string[] names, string[] modules)
    {
        this.addresses = addresses;
        this.names = names;
        this.modules = modules;
    }

    public int Count => addresses.Length;

    public static KernelSymbols Load(string path = "/proc/kallsyms")
    {
        var entries = new List<(ulong Address, string Name, string Module)>();
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t helper\t[module]"
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 3 || parts[1] is not ("T" or "t" or "W" or "w")
                    || !ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address) || address == 0)
                {
                    continue;
                }

                entries.Add((address, parts[2], parts.Length > 3 ? parts[3].Trim('[', ']') : ""));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: stacks keep their addresses, without names.
        }

        entries.Sort((a, b) => a.Address.CompareTo(b.Address));
        return new KernelSymbols([.. entries.Select(e => e.Address)], [.. entries.Select(e => e.Name)], [.. entries.Select(e => e.Module)]);
    }

    public StackTraceEntry Resolve(ulong address)
    {
        var i = Array.BinarySearch(addresses, address);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i < 0
            ? new StackTraceEntry { Address = address }
            : new StackTraceEntry { Address = address, Offset = address - addresses[i], Symbol = names[i], Module = modules[i] };
    }
}
