using System.Runtime.InteropServices;

namespace Tetragon.Docker.E2E.Tests;

internal static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc.so.6", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc.so.6", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc.so.6", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "setxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SetXattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The canonical path, every symbolic link resolved (as the kernel reports binaries).</summary>
    public static string RealPath(string path)
    {
        var p = RealPathNative(path, 0);
        if (p == 0)
        {
            return path;
        }

        try
        {
            return Marshal.PtrToStringUTF8(p)!;
        }
        finally
        {
            Free(p);
        }
    }
}
