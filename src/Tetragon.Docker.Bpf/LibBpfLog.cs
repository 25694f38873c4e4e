using System.Runtime.InteropServices;
using System.Text;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>
/// Routes libbpf's printf-style log into .NET. libbpf keeps one process-wide print
/// callback, so this is the one static hook: it records the recent lines (the verifier
/// log of a failed load) and forwards them to an optional sink.
/// </summary>
public static unsafe class LibBpfLog
{
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static Action<int, string>? sink;

    /// <summary>libbpf's levels: 0 warn, 1 info, 2 debug.</summary>
    public static void Install(Action<int, string>? logSink)
    {
        lock (Gate)
        {
            sink = logSink;
        }

        LibBpf.SetPrint(&OnPrint);
    }

    /// <summary>Takes the lines logged since the last call (e.g. a verifier log).</summary>
    public static string TakeRecent()
    {
        lock (Gate)
        {
            var text = string.Join("", Recent);
            Recent.Clear();
            return text;
        }
    }

    /// <summary>Longest message kept whole; a verifier log beyond it keeps its start and its end, where the reason is.</summary>
    internal const int MaxMessage = 16 * 1024;

    private const int HeadKept = 2 * 1024;

    /// <summary>x86-64's va_list: a 24-byte __va_list_tag that vsnprintf consumes; copying it is va_copy.</summary>
    private const int VaListSize = 24;

    /// <summary>Shortens a message longer than <see cref="MaxMessage"/> to its first and last bytes, saying how much went.</summary>
    internal static string Abbreviate(string message)
    {
        if (message.Length <= MaxMessage)
        {
            return message;
        }

        var tail = MaxMessage - HeadKept;
        var cut = message.Length - HeadKept - tail;
        return $"{message[..HeadKept]}\n... ({cut} characters of this log left out) ...\n{message[^tail..]}";
    }

    [UnmanagedCallersOnly]
    private static int OnPrint(int level, nint format, nint args)
    {
        try
        {
            var line = Format(format, args);
            if (line is null)
            {
                return 0;
            }

            line = Abbreviate(line);
            Action<int, string>? target;
            lock (Gate)
            {
                if (level <= 1)
                {
                    Recent.Enqueue(line);
                    while (Recent.Count > 400)
                    {
                        Recent.Dequeue();
                    }
                }

                target = sink;
            }

            target?.Invoke(level, line.TrimEnd());
        }
        catch
        {
            // An exception must never unwind into libbpf.
        }

        return 0;
    }

    /// <summary>vsnprintf into a stack buffer, or (a verifier log runs to megabytes) into one of the size it asks for.</summary>
    private static string? Format(nint format, nint args)
    {
        const int size = 8192;
        var copy = stackalloc byte[VaListSize];
        Buffer.MemoryCopy((void*)args, copy, VaListSize, VaListSize);
        var buffer = stackalloc byte[size];
        var n = LibC.VsnPrintf(buffer, size, format, (nint)copy);
        if (n <= 0)
        {
            return null;
        }

        if (n < size)
        {
            return Encoding.UTF8.GetString(buffer, n);
        }

        var large = (byte*)NativeMemory.Alloc((nuint)n + 1);
        try
        {
            Buffer.MemoryCopy((void*)args, copy, VaListSize, VaListSize);
            n = LibC.VsnPrintf(large, (nuint)n + 1, format, (nint)copy);
            return n <= 0 ? null : Encoding.UTF8.GetString(large, n);
        }
        finally
        {
            NativeMemory.Free(large);
        }
    }
}
