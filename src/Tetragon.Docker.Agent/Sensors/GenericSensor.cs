using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent.Sensors;

/// <summary>
/// Tetragon's generic sensors (generic_kprobe for syscalls and kernel functions,
/// generic_tracepoint, generic_uprobe, generic_lsm): one BPF object per family, loaded on
/// first use, all sharing the process sensor's ring buffer and binary map and one set of
/// policy maps (gen_*). Policies write maps and attach links; only trampoline hooks (LSM,
/// fmod_ret) load an object each, because the kernel binds such a program to one function
/// at load.
/// </summary>
internal sealed class GenericSensor(string bpfDirectory, ProcessSensor process) : IDisposable
{
    public const string SyscallBackend = "tp_btf/sys_enter+sys_exit";

    private static readonly string[] SharedMaps = ["gen_hooks", "gen_routes", "gen_strings", "gen_numbers", "gen_counters", "gen_ratelimit", "gen_pending_map", "gen_scopes"];

    private readonly Dictionary<GenericFamily, BpfObject> objects = [];
    private readonly Dictionary<string, int> sharedFds = [];
    private readonly List<BpfLink> syscallLinks = [];
    private BpfLink? syscallExit;
    private BpfObject? owner;

    public bool IsLoaded(GenericFamily family) => objects.ContainsKey(family);

    public IEnumerable<GenericFamily> Loaded => objects.Keys;

    public void EnsureLoaded(GenericFamily family)
    {
        if (objects.ContainsKey(family))
        {
            return;
        }

        var file = family switch
        {
            GenericFamily.Syscall => "bpf_generic_syscall.o",
            GenericFamily.Tracepoint => "bpf_generic_tracepoint.o",
            GenericFamily.Kprobe => "bpf_generic_kprobe.o",
            _ => "bpf_generic_uprobe.o",
        };
        var obj = BpfObject.Open(Path.Combine(bpfDirectory, file));
        try
        {
            ReuseShared(obj);
            obj.Load();
            if (owner is null)
            {
                owner = obj;
                foreach (var name in SharedMaps)
                {
                    sharedFds[name] = obj.Map(name).Fd;
                }
            }

            if (family == GenericFamily.Syscall)
            {
                syscallLinks.Add(obj.Attach("generic_sys_enter"));
            }
        }
        catch
        {
            foreach (var link in syscallLinks)
            {
                link.Dispose();
            }

            syscallLinks.Clear();
            if (owner == obj)
            {
                owner = null;
                sharedFds.Clear();
            }

            obj.Dispose();
            throw;
        }

        objects[family] = obj;
    }

    private void ReuseShared(BpfObject obj)
    {
        obj.ReuseMap("events", process.RingBufferFd);
        obj.ReuseMap("lost_events", process.LostEventsFd);
        obj.ReuseMap("ringbuf_config", process.ConfigFd);
        obj.ReuseMap("ringbuf_pace", process.RingPaceFd);
        obj.ReuseMap("exec_binary_map", process.ExecBinaryFd);
        obj.ReuseMap("binary_tracking", process.BinaryTrackingFd);
        obj.ReuseMap("exec_baseline_map", process.ExecBaselineFd);
        obj.ReuseMap("follow_binaries", process.FollowBinariesFd);
        foreach (var (name, fd) in sharedFds)
        {
            obj.ReuseMap(name, fd);
        }
    }

    public BpfMap Map(string name) => (owner ?? throw new InvalidOperationException("no generic sensor loaded")).Map(name);

    public BpfLink AttachTracepoint(string subsystem, string eventName, uint hookId) =>
        objects[GenericFamily.Tracepoint].AttachTracepoint("generic_tracepoint", subsystem, eventName, hookId);

    public BpfLink AttachUprobe(string binary, Policy.UprobeSite site, bool retprobe, uint hookId) =>
        objects[GenericFamily.Uprobe].AttachUprobe(retprobe ? "generic_uretprobe" : "generic_uprobe", binary, site.Symbol, site.Offset, site.RefCtrOffset, retprobe, hookId);

    /// <summary>
    /// Loads an instance of the trampoline object bound to one kernel function (an LSM hook, or
    /// fmod_ret on a function), sharing the policy maps, and attaches it. The caller owns both.
    /// </summary>
    public (BpfObject Object, BpfLink Link) AttachTrampoline(Trampoline trampoline, uint hookId)
    {
        var (program, unused) = trampoline.Lsm ? ("generic_lsm", "generic_fmodret") : ("generic_fmodret", "generic_lsm");
        var obj = BpfObject.Open(Path.Combine(bpfDirectory, "bpf_generic_trampoline.o"));
        try
        {
            ReuseShared(obj);
            obj.SetAutoload(unused, false);
            obj.SetAttachTarget(program, trampoline.Function);
            try
            {
                obj.Load();
            }
            catch (BpfException e) when (e.Errno == 1)
            {
                // Probing is loading: a kernel (or its lockdown) may refuse every trampoline program.
                throw new BpfException($"the kernel refuses BPF {(trampoline.Lsm ? "LSM" : "fmod_ret")} programs (EPERM at load), needed for {trampoline.Purpose} on {trampoline.Function}", 1);
            }
            catch (BpfException e) when (e.Errno == 22 && !trampoline.Lsm && !trampoline.Function.StartsWith("security_", StringComparison.Ordinal))
            {
                throw new BpfException($"the kernel refuses fmod_ret on {trampoline.Function}, needed for {trampoline.Purpose}: fmod_ret attaches to security_* functions, and to others only when they are on the kernel's error-injection list (CONFIG_FUNCTION_ERROR_INJECTION; Debian's kernels leave it out)", 22, e.VerifierLog);
            }

            obj.Map("tramp_hook").Update(0u, hookId | ((ulong)(trampoline.SyscallRegs ? 1 : 0) << 32));
            return (obj, obj.Attach(program));
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    public BpfLink AttachKprobe(string function, bool retprobe, uint hookId) =>
        objects[GenericFamily.Kprobe].AttachKprobe(retprobe ? "generic_kretprobe" : "generic_kprobe", function, retprobe, hookId);

    /// <summary>
    /// sys_exit runs on every syscall of the host once attached, so it is attached only while
    /// some syscall hook wants its return value (return: true) and detached after.
    /// </summary>
    public void SetSyscallExit(bool needed)
    {
        if (needed && syscallExit is null && objects.TryGetValue(GenericFamily.Syscall, out var obj))
        {
            syscallExit = obj.Attach("generic_sys_exit");
        }
        else if (!needed && syscallExit is not null)
        {
            syscallExit.Dispose();
            syscallExit = null;
        }
    }

    /// <summary>The process sensor, whose exec_binary_map the matchBinaries selectors read.</summary>
    public ProcessSensor Process => process;

    /// <summary>Sum over CPUs of one per-hook counter (GenericLayout.Counter*).</summary>
    public ulong ReadCounter(uint hookId, int counter) =>
        owner is null ? 0 : BpfMap.SumPerCpu(sharedFds["gen_counters"], (uint)((hookId * GenericLayout.CounterStride) + counter));

    public void Detach()
    {
        foreach (var link in syscallLinks)
        {
            link.Dispose();
        }

        syscallLinks.Clear();
        syscallExit?.Dispose();
        syscallExit = null;
    }

    public void Dispose()
    {
        Detach();
        foreach (var obj in objects.Values)
        {
            obj.Dispose();
        }

        objects.Clear();
        owner = null;
    }
}
