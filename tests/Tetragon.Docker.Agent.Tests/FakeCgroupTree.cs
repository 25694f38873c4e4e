using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>A directory tree shaped like a cgroup2 hierarchy; inodes stand in for cgroup ids as they do in the kernel.</summary>
internal sealed class FakeCgroupTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("cgroup-").FullName;

    public ulong Add(string relative)
    {
        var path = Root + relative;
        Directory.CreateDirectory(path);
        Assert.True(FileInode.TryGet(path, out var inode));
        return inode;
    }

    public void Remove(string relative) => Directory.Delete(Root + relative, recursive: true);

    /// <summary>Removes a cgroup from its place while keeping its inode alive, so a new one cannot reuse the number.</summary>
    public void Retire(string relative) => Directory.Move(Root + relative, Root + "/retired-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
