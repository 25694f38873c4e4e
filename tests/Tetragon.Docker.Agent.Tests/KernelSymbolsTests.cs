using Tetragon.Docker.Agent.Policy;

namespace Tetragon.Docker.Agent.Tests;

public sealed class KernelSymbolsTests : IDisposable
{
    private readonly string file = Path.GetTempFileName();

    public void Dispose() => File.Delete(file);

    [Fact]
    public void AnAddressIsNamedByTheSymbolAtOrBelowItWithItsOffsetAndModule()
    {
        File.WriteAllLines(file,
        [
            "ffffffff81000000 T _stext",
            "ffffffff81001000 t do_syscall_64",
            "ffffffff81002000 D some_data",
            "ffffffffc0a01000 t nf_hook\t[nf_tables]",
        ]);
        var symbols = KernelSymbols.Load(file);

        Assert.Equal(3, symbols.Count); // data symbols are left out
        var entry = symbols.Resolve(0xffffffff81001040);
        Assert.Equal(("do_syscall_64", 0x40UL, ""), (entry.Symbol, entry.Offset, entry.Module));
        Assert.Equal(0xffffffff81001040, entry.Address);
        entry = symbols.Resolve(0xffffffffc0a01010);
        Assert.Equal(("nf_hook", 0x10UL, "nf_tables"), (entry.Symbol, entry.Offset, entry.Module));
    }

    [Fact]
    public void HiddenOrMissingSymbolsLeaveTheAddressUnnamed()
    {
        File.WriteAllLines(file, ["0000000000000000 T _stext", "0000000000000000 t do_syscall_64"]); // kptr_restrict
        var hidden = KernelSymbols.Load(file);
        Assert.Equal(0, hidden.Count);
        Assert.Equal("", hidden.Resolve(0xffffffff81001040).Symbol);

        Assert.Equal(0, KernelSymbols.Load("/no/such/kallsyms").Count);
    }
}
