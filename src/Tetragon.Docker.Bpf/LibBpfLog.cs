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

    [UnmanagedCallersOnly]
    private static int OnPrint(int level, nint format, nint args)
    {
        try
        {
            const int size = 8192;
            var buffer = stackalloc byte[size];
            var n = LibC.VsnPrintf(buffer, size, format, args);
            if (n <= 0)
            {
                return 0;
            }

            var line = Encoding.UTF8.GetString(buffer, Math.Min(n, size - 1));
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
}
