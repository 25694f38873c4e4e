using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>
/// binary_properties from real execs: a fileless exec (memfd, deleted file) and privileged execs
/// (set-user-ID and set-group-ID root, file capabilities) run by an unprivileged user.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BinaryPropertiesTests
{
    private const uint Nobody = 65534;
    private static readonly string True = Trigger.Resolve("/bin/true");

    [Fact]
    public async Task AnExecFromAMemfdOrADeletedFileHasNoLinks()
    {
        await using var agent = await AgentProcess.StartAsync();
        var memfdMarker = $"memfd-{Guid.NewGuid():N}";
        var fd = Posix.MemfdCreate("tg-fileless", 0);
        Assert.True(fd >= 0, $"memfd_create: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            var image = File.ReadAllBytes(True);
            Assert.Equal(image.Length, (int)Posix.Write(fd, image, (nuint)image.Length));
            Assert.Equal(0, (await Trigger.RunAsync($"/proc/{Environment.ProcessId}/fd/{fd}", "/", memfdMarker)).ExitCode);
        }
        finally
        {
            Posix.Close(fd);
        }

        var memfd = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == memfdMarker)).ProcessExec.Process;
        Assert.Equal(0u, memfd.BinaryProperties.File.Inode.Links);
        Assert.NotEqual(0ul, memfd.BinaryProperties.File.Inode.Number);

        // A shell holds the file open, deletes it, then runs it through its fd.
        var deletedMarker = $"deleted-{Guid.NewGuid():N}";
        var dir = Directory.CreateTempSubdirectory("tg-deleted-").FullName;
        var copy = Path.Combine(dir, "true-copy");
        File.Copy(True, copy);
        Assert.Equal(0, (await Trigger.RunAsync("/bin/sh", "/", "-c", $"exec 3<{copy}; rm {copy}; /proc/self/fd/3 {deletedMarker}")).ExitCode);
        Directory.Delete(dir);
        var deleted = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == deletedMarker)).ProcessExec.Process;
        Assert.Equal(0u, deleted.BinaryProperties.File.Inode.Links);

        // An ordinary binary has none.
        var plainMarker = $"plain-{Guid.NewGuid():N}";
        await Trigger.RunAsync(True, "/", plainMarker);
        var plain = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == plainMarker)).ProcessExec.Process;
        Assert.Null(plain.BinaryProperties);
    }

    [Fact]
    public async Task PrivilegedExecsByAnUnprivilegedUserSayHowTheyRaisedPrivileges()
    {
        await using var agent = await AgentProcess.StartAsync("--enable-process-cred");
        var dir = Directory.CreateTempSubdirectory("tg-priv-");
        dir.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        try
        {
            var suid = Binary(dir.FullName, "suid-true", UnixFileMode.SetUser);
            var sgid = Binary(dir.FullName, "sgid-true", UnixFileMode.SetGroup);
            var caps = Binary(dir.FullName, "caps-true", 0);
            // security.capability v2: CAP_NET_RAW (13) permitted, the effective bit set.
            var xattr = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(xattr, 0x02000000 | 1);
            BinaryPrimitives.WriteUInt32LittleEndian(xattr.AsSpan(4), 1u << 13);
            Assert.Equal(0, Posix.SetXattr(caps, "security.capability", xattr, (nuint)xattr.Length, 0));

            async Task<Api.Process> RunAsNobody(string binary)
            {
                var marker = $"priv-{Guid.NewGuid():N}";
                var (_, exit) = await Trigger.RunAsync("/usr/bin/setpriv", "/", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", binary, marker);
                Assert.Equal(0, exit);
                return (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments == marker)).ProcessExec.Process;
            }

            var setuid = await RunAsNobody(suid);
            Assert.Equal(0u, setuid.BinaryProperties.Setuid);
            Assert.Null(setuid.BinaryProperties.Setgid);
            Assert.Equal([ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetuid], setuid.BinaryProperties.PrivilegesChanged);
            Assert.Equal(Nobody, setuid.ProcessCredentials.Uid);
            Assert.Equal(0u, setuid.ProcessCredentials.Euid);

            var setgid = await RunAsNobody(sgid);
            Assert.Equal(0u, setgid.BinaryProperties.Setgid);
            Assert.Null(setgid.BinaryProperties.Setuid);
            Assert.Equal([ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetgid], setgid.BinaryProperties.PrivilegesChanged);

            var fileCaps = await RunAsNobody(caps);
            Assert.Equal([ProcessPrivilegesChanged.PrivilegesRaisedExecFileCap], fileCaps.BinaryProperties.PrivilegesChanged);
            Assert.Null(fileCaps.BinaryProperties.Setuid);
            Assert.Contains(CapabilitiesType.CapNetRaw, fileCaps.Cap.Effective);

            var plain = await RunAsNobody(True);
            Assert.Null(plain.BinaryProperties); // nobody running an ordinary binary
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Binary(string dir, string name, UnixFileMode special)
    {
        var path = Path.Combine(dir, name);
        File.Copy(True, path);
        File.SetUnixFileMode(path, special | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }
}
