using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Tests;

public sealed class BinaryPropertiesTests
{
    private static ProcessSnapshot Exec(uint uid, uint euid, uint gid, uint egid, bool privileged, uint? links = 1) => new()
    {
        Pid = 9, Ppid = 1, KtimeNs = 1, Binary = "/bin/x", Argv = ["x"], Cwd = "/",
        Uid = uid, Euid = euid, Gid = gid, Egid = egid, PrivilegedExec = privileged, BinaryInode = 77, BinaryLinks = links,
    };

    [Fact]
    public void ASetuidToAnotherUserNamesItWithoutRaisingPrivileges()
    {
        var p = ProcessFactory.BinaryPropertiesOf(Exec(1000, 1001, 1000, 1000, privileged: true), includeCredentials: true)!;
        Assert.Equal(1001u, p.Setuid);
        Assert.Null(p.Setgid);
        Assert.Empty(p.PrivilegesChanged);
        Assert.Null(p.File);
    }

    [Fact]
    public void SetuidAndSetgidRootTogetherRaiseBoth()
    {
        var p = ProcessFactory.BinaryPropertiesOf(Exec(1000, 0, 1000, 0, privileged: true), includeCredentials: true)!;
        Assert.Equal([ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetuid, ProcessPrivilegesChanged.PrivilegesRaisedExecFileSetgid], p.PrivilegesChanged);
    }

    [Fact]
    public void AnUnprivilegedExecOrOneFromAProcessAlreadySetuidSaysNothing()
    {
        Assert.Null(ProcessFactory.BinaryPropertiesOf(Exec(1000, 1000, 1000, 1000, privileged: false), includeCredentials: true));
        Assert.Null(ProcessFactory.BinaryPropertiesOf(Exec(1000, 0, 1000, 1000, privileged: false), includeCredentials: true)); // euid kept, not gained here
    }

    [Fact]
    public void CredentialsOnlyWithTheFlagTheFilelessExecAlways()
    {
        Assert.Null(ProcessFactory.BinaryPropertiesOf(Exec(1000, 0, 1000, 1000, privileged: true), includeCredentials: false));
        var p = ProcessFactory.BinaryPropertiesOf(Exec(0, 0, 0, 0, privileged: false, links: 0), includeCredentials: false)!;
        Assert.Equal(77ul, p.File.Inode.Number);
        Assert.Equal(0u, p.File.Inode.Links);
        Assert.Null(ProcessFactory.BinaryPropertiesOf(Exec(0, 0, 0, 0, privileged: false, links: null), includeCredentials: true)); // /proc: unknown
    }
}
