using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Tests;

public sealed class AncestorEventsTests
{
    [Fact]
    public void AncestorsRunFromTheGrandparentUpToInitOrKthreadd()
    {
        var cache = new ProcessCache();
        ProcessEntry Add(uint pid, ProcessEntry? parent) => cache.Add(pid, new Api.Process { Pid = pid, Binary = $"/bin/p{pid}" }, parent, 0);
        var init = Add(1, null);
        var sshd = Add(100, init);
        var bash = Add(200, sshd);
        var sh = Add(300, bash);
        var kthreadd = Add(2, null);
        var kworker = Add(50, kthreadd);

        Assert.Equal([100u, 1u], AncestorEvents.Of(sh).Select(p => p.Pid!.Value));
        Assert.Equal([1u], AncestorEvents.Of(bash).Select(p => p.Pid!.Value));
        Assert.Empty(AncestorEvents.Of(sshd)); // the parent is init: nothing beyond it
        Assert.Equal([2u], AncestorEvents.Of(Add(60, kworker)).Select(p => p.Pid!.Value));
        Assert.Empty(AncestorEvents.Of(init));
    }

    [Theory]
    [InlineData("", false, false, false)]
    [InlineData("base", true, false, false)]
    [InlineData(" base , KPROBE,lsm", true, true, true)]
    public void KindsAreTetragons(string text, bool baseEvents, bool kprobe, bool lsm)
    {
        var kinds = AncestorEvents.Parse(text);
        Assert.Equal((baseEvents, kprobe, false, lsm), (kinds.Base, kinds.Kprobe, kinds.Uprobe, kinds.Lsm));
    }

    [Theory]
    [InlineData("base,kprob", "--enable-ancestors: unknown event type \"kprob\"")]
    [InlineData("kprobe", "--enable-ancestors: \"kprobe\" needs base too")]
    public void AMistakeIsNamed(string text, string start) =>
        Assert.StartsWith(start, Assert.Throws<ArgumentException>(() => AncestorEvents.Parse(text)).Message, StringComparison.Ordinal);
}
