namespace Tetragon.Docker.Bpf.Tests;

/// <summary>Pure logic: how a verifier log too long for an error message is shortened.</summary>
public sealed class LibBpfLogTests
{
    [Fact]
    public void AShortLogIsKeptWhole()
    {
        var log = new string('x', LibBpfLog.MaxMessage);
        Assert.Same(log, LibBpfLog.Abbreviate(log));
    }

    [Fact]
    public void ALongLogKeepsItsStartAndTheReasonAtItsEnd()
    {
        // A refused program's log runs to megabytes; the verdict is its last lines.
        var log = "-- BEGIN PROG LOAD LOG --\n" + string.Concat(Enumerable.Repeat("123: (85) call bpf_loop#181\n", 40_000))
            + "BPF program is too large. Processed 1000001 insn\n-- END PROG LOAD LOG --\n";

        var shown = LibBpfLog.Abbreviate(log);

        Assert.StartsWith("-- BEGIN PROG LOAD LOG --\n", shown, StringComparison.Ordinal);
        Assert.EndsWith("BPF program is too large. Processed 1000001 insn\n-- END PROG LOAD LOG --\n", shown, StringComparison.Ordinal);
        Assert.True(shown.Length < LibBpfLog.MaxMessage + 100, $"{shown.Length} characters");
        var cut = log.Length - (LibBpfLog.MaxMessage);
        Assert.Contains($"... ({cut} characters of this log left out) ...", shown, StringComparison.Ordinal);
    }
}
