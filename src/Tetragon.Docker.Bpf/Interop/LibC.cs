using System.Runtime.InteropServices;

namespace Tetragon.Docker.Bpf.Interop;

internal static unsafe partial class LibC
{
    /// <summary>Formats libbpf's printf-style log line; va_list is passed through as a pointer (x86-64 ABI).</summary>
    [LibraryImport(Libraries.LibC, EntryPoint = "vsnprintf")]
    public static partial int VsnPrintf(byte* buffer, nuint size, nint format, nint args);

    [LibraryImport(Libraries.LibC, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clockId, out TimeSpec ts);

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libraries.LibC, EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Stat(string path, byte* buffer);

    [LibraryImport(Libraries.LibC, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mount(string source, string target, string type, ulong flags, nint data);

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const short PollIn = 1;

    [LibraryImport(Libraries.LibC, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libraries.LibC, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libraries.LibC, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
