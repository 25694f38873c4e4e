using System.Runtime.InteropServices;
using Tetragon.Docker.Bpf.Interop;

namespace Tetragon.Docker.Bpf;

/// <summary>
/// One BPF object file (one hook family): open, adjust maps, load, attach.
/// Follows libbpf-bootstrap's order: open → configure → load → attach.
/// </summary>
public sealed class BpfObject : SafeHandle
{
    private readonly List<BpfLink> links = [];

    private BpfObject(nint handle, string path)
        : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        Path = path;
    }

    public string Path { get; }

    public override bool IsInvalid => handle == 0;

    public IReadOnlyList<BpfLink> Links => links;

    public static BpfObject Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new BpfException($"BPF object {path} not found", 2);
        }

        LibBpfLog.TakeRecent();
        var obj = LibBpf.ObjectOpenFile(path, 0);
        if (obj == 0)
        {
            throw new BpfException($"cannot open BPF object {path}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
        }

        return new BpfObject(obj, path);
    }

    /// <summary>Shares an existing map (e.g. the one ring buffer) instead of creating this object's own.</summary>
    public void ReuseMap(string name, int fd)
    {
        var map = FindMap(name);
        if (LibBpf.MapReuseFd(map, fd) < 0)
        {
            throw new BpfException($"{Name}: cannot reuse map {name}", Marshal.GetLastPInvokeError());
        }
    }

    public void SetMaxEntries(string name, uint maxEntries)
    {
        var map = FindMap(name);
        if (LibBpf.MapSetMaxEntries(map, maxEntries) < 0)
        {
            throw new BpfException($"{Name}: cannot set max_entries={maxEntries} on map {name}", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Programs not to load (fallbacks this kernel does not need).</summary>
    /// <summary>Binds a trampoline program (lsm, fentry, fmod_ret) to a kernel function; before <see cref="Load"/>.</summary>
    public void SetAttachTarget(string program, string function)
    {
        if (LibBpf.ProgramSetAttachTarget(FindProgram(program), 0, function) != 0)
        {
            throw new BpfException($"{Name}: cannot target {program} at {function}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
        }
    }

    public void SetAutoload(string program, bool autoload)
    {
        foreach (var (name, prog) in Programs())
        {
            if (name == program)
            {
                LibBpf.ProgramSetAutoload(prog, autoload);
                return;
            }
        }

        throw new BpfException($"{Name}: no program {program}", 2);
    }

    public void Load()
    {
        LibBpfLog.TakeRecent();
        var rc = LibBpf.ObjectLoad(handle);
        if (rc < 0)
        {
            throw new BpfException($"{Name}: load failed", -rc, LibBpfLog.TakeRecent());
        }
    }

    /// <summary>
    /// Loads like <see cref="Load"/> and returns the instructions the verifier processed per
    /// program (-1: the kernel gave no count): how close each is to the kernel's
    /// 1M-instruction complexity limit.
    /// </summary>
    public unsafe Dictionary<string, long> LoadWithVerifierStats()
    {
        const uint LogStats = 4; // BPF_LOG_STATS: the summary lines only
        const int Size = 1 << 16;
        var programs = Programs().ToList();
        var buffers = programs.Select(_ => (nint)NativeMemory.AllocZeroed(Size)).ToList();
        try
        {
            for (var i = 0; i < programs.Count; i++)
            {
                LibBpf.ProgramSetLogLevel(programs[i].Prog, LogStats);
                LibBpf.ProgramSetLogBuf(programs[i].Prog, (byte*)buffers[i], Size);
            }

            Load();
            var stats = new Dictionary<string, long>();
            for (var i = 0; i < programs.Count; i++)
            {
                var log = Marshal.PtrToStringUTF8(buffers[i]) ?? "";
                var match = System.Text.RegularExpressions.Regex.Match(log, @"processed (\d+) insns");
                stats[programs[i].Name] = match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            }

            return stats;
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                NativeMemory.Free((void*)buffer);
            }
        }
    }

    /// <summary>Attaches every loaded program by its SEC() name.</summary>
    public void AttachAll()
    {
        foreach (var (name, prog) in Programs())
        {
            var link = LibBpf.ProgramAttach(prog);
            if (link == 0)
            {
                throw new BpfException($"{Name}: cannot attach program {name}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
            }

            links.Add(new BpfLink(link, name));
        }
    }

    /// <summary>Attaches one program by its SEC() name; the caller owns the link.</summary>
    public BpfLink Attach(string program)
    {
        var link = LibBpf.ProgramAttach(FindProgram(program));
        return link != 0
            ? new BpfLink(link, program)
            : throw new BpfException($"{Name}: cannot attach program {program}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
    }

    /// <summary>Attaches a SEC("tracepoint") program to category/name; the program reads <paramref name="cookie"/> with bpf_get_attach_cookie.</summary>
    public unsafe BpfLink AttachTracepoint(string program, string category, string name, ulong cookie)
    {
        var opts = new TracepointOpts { Size = (nuint)sizeof(TracepointOpts), BpfCookie = cookie };
        var link = LibBpf.ProgramAttachTracepointOpts(FindProgram(program), category, name, &opts);
        return link != 0
            ? new BpfLink(link, $"{program} {category}/{name}")
            : throw new BpfException($"{Name}: cannot attach {program} to tracepoint {category}/{name}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
    }

    /// <summary>
    /// Attaches a uprobe (or uretprobe) program to <paramref name="symbol"/> in <paramref name="binary"/>,
    /// for every process; without a symbol, at the file offset <paramref name="offset"/>. A non-zero
    /// <paramref name="refCtrOffset"/> is the file offset of a USDT semaphore the kernel counts up.
    /// </summary>
    public unsafe BpfLink AttachUprobe(string program, string binary, string? symbol, ulong offset, ulong refCtrOffset, bool retprobe, ulong cookie)
    {
        var name = symbol is null ? 0 : Marshal.StringToCoTaskMemUTF8(symbol);
        var place = symbol ?? $"0x{offset:x}";
        try
        {
            var opts = new UprobeOpts { Size = (nuint)sizeof(UprobeOpts), RefCtrOffset = (nuint)refCtrOffset, BpfCookie = cookie, Retprobe = retprobe ? (byte)1 : (byte)0, FuncName = name };
            var link = LibBpf.ProgramAttachUprobeOpts(FindProgram(program), -1, binary, symbol is null ? (nuint)offset : 0, &opts);
            return link != 0
                ? new BpfLink(link, $"{program} {binary}:{place}")
                : throw new BpfException($"{Name}: cannot attach {(retprobe ? "uretprobe" : "uprobe")} to {binary}:{place}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
        }
        finally
        {
            if (name != 0)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    /// <summary>A kprobe (or kretprobe) on a kernel function, the cookie readable by the program.</summary>
    public unsafe BpfLink AttachKprobe(string program, string function, bool retprobe, ulong cookie)
    {
        var opts = new KprobeOpts { Size = (nuint)sizeof(KprobeOpts), BpfCookie = cookie, Retprobe = retprobe ? (byte)1 : (byte)0 };
        var link = LibBpf.ProgramAttachKprobeOpts(FindProgram(program), function, &opts);
        return link != 0
            ? new BpfLink(link, $"{program} {function}")
            : throw new BpfException($"{Name}: cannot attach {(retprobe ? "kretprobe" : "kprobe")} to kernel function {function}", Marshal.GetLastPInvokeError(), LibBpfLog.TakeRecent());
    }

    /// <summary>Detaches every program but keeps the object (and its maps) open.</summary>
    public void Detach()
    {
        foreach (var link in links)
        {
            link.Dispose();
        }

        links.Clear();
    }

    public BpfMap Map(string name) => new(FindMap(name), name);

    public bool HasMap(string name) => LibBpf.ObjectFindMapByName(handle, name) != 0;

    public string Name => System.IO.Path.GetFileName(Path);

    private nint FindMap(string name)
    {
        var map = LibBpf.ObjectFindMapByName(handle, name);
        return map != 0 ? map : throw new BpfException($"{Name}: no map {name}", 2);
    }

    private nint FindProgram(string program)
    {
        foreach (var (name, prog) in Programs())
        {
            if (name == program)
            {
                return prog;
            }
        }

        throw new BpfException($"{Name}: no program {program}", 2);
    }

    private IEnumerable<(string Name, nint Prog)> Programs()
    {
        var prog = LibBpf.ObjectNextProgram(handle, 0);
        while (prog != 0)
        {
            yield return (Marshal.PtrToStringUTF8(LibBpf.ProgramName(prog)) ?? "", prog);
            prog = LibBpf.ObjectNextProgram(handle, prog);
        }
    }

    protected override bool ReleaseHandle()
    {
        // Links first: detaching before the object closes leaves nothing attached.
        foreach (var link in links)
        {
            link.Dispose();
        }

        LibBpf.ObjectClose(handle);
        return true;
    }
}
