using Tetragon.Docker.Agent.Policy;

namespace Tetragon.Docker.Agent.Tests;

public sealed class FollowChildrenSeederTests
{
    private static readonly Dictionary<uint, (uint Ppid, string Exe)> Table = new()
    {
        [1] = (0, "/sbin/init"),
        [100] = (1, "/usr/sbin/sshd"),
        [200] = (100, "/usr/bin/bash"),
        [300] = (200, "/usr/bin/vim"),
        [400] = (1, "/usr/bin/cron"),
        [500] = (501, "/usr/bin/a"), // a pid loop (a table read while pids were reused)
        [501] = (500, "/usr/bin/b"),
    };

    private static readonly Dictionary<string, ulong> Masks = new(StringComparer.Ordinal)
    {
        ["/usr/sbin/sshd"] = 0b01,
        ["/usr/bin/cron"] = 0b10,
        ["/usr/bin/b"] = 0b100,
    };

    [Theory]
    [InlineData(300u, 0b01ul)]  // vim under bash under sshd
    [InlineData(100u, 0b01ul)]  // sshd itself
    [InlineData(400u, 0b10ul)]
    [InlineData(1u, 0ul)]
    [InlineData(500u, 0b100ul)] // the loop ends
    [InlineData(999u, 0ul)]     // unknown
    public void ALineageCarriesTheBitsOfEveryLiveAncestorsBinary(uint pid, ulong expected) =>
        Assert.Equal(expected, FollowChildrenSeeder.Lineage(pid, Table, Masks));

    [Fact]
    public void TheTableFromProcHoldsAChildWithItsParentAndBinary()
    {
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "5") { UseShellExecute = false })!;
        try
        {
            var table = FollowChildrenSeeder.ReadTable("/proc");
            Assert.True(table.TryGetValue((uint)child.Id, out var entry), $"{table.Count} processes, not {child.Id}");
            Assert.Equal((uint)Environment.ProcessId, entry.Ppid);
            Assert.EndsWith("/sleep", entry.Exe, StringComparison.Ordinal);
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void KeysAreThePathNulPaddedAsTheKernelKeepsThem()
    {
        var key = FollowChildrenSeeder.Key("/usr/bin/cron");
        Assert.Equal(256, key.Length);
        Assert.Equal("/usr/bin/cron"u8.ToArray(), key[..13]);
        Assert.All(key[13..], b => Assert.Equal(0, b));
        Assert.Equal(0, FollowChildrenSeeder.Key(new string('x', 300))[255]);
    }
}
