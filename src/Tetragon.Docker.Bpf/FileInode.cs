using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>Inode numbers (.NET has no API): a cgroup directory's inode is its BPF cgroup id.</summary>
public static unsafe class FileInode
{
    private const int StatSize = 144; // struct stat on x86-64
    private const int InoOffset = 8;

    public static bool TryGet(string path, out ulong inode)
    {
        var buffer = stackalloc byte[StatSize];
        if (LibC.Stat(path, buffer) != 0)
        {
            inode = 0;
            return false;
        }

        inode = *(ulong*)(buffer + InoOffset);
        return true;
    }
}
