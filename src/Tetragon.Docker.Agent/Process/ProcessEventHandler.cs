using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// Turns process lifecycle messages into Tetragon events through the process cache.
/// Events of a process whose container metadata is still on its way wait in a FIFO
/// (Tetragon's event cache) until it arrives or <see cref="PendingTimeout"/> passes.
/// Runs on the pipeline thread only.
/// </summary>
internal sealed class ProcessEventHandler(
    ProcessCache cache,
    ProcessFactory factory,
    ProcFsScanner scanner,
    IContainerResolver containers,
    AgentCounters counters,
    Action<GetEventsResponse> publish,
    TimeProvider time)
{
    public static readonly TimeSpan PendingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Bound of the waiting FIFO: past it, the oldest event goes out without its container.</summary>
    public const int MaxDeferred = 16384;

    private readonly Queue<Deferred> deferred = new();

    public int DeferredCount => deferred.Count;

    /// <summary>Which events list ancestors (--enable-ancestors).</summary>
    public AncestorEvents Ancestors { get; init; } = AncestorEvents.None;

    /// <summary>Decoder of the generic sensors' events (TracingPolicy hooks); null when none is loaded.</summary>
    public Policy.GenericEventDecoder? Generic { get; set; }

    public void OnSample(ReadOnlySpan<byte> sample)
    {
        switch (ProcessMessageDecoder.ReadCommon(sample).Op)
        {
            case MsgOp.Execve:
                OnExec(ProcessMessageDecoder.DecodeExec(sample));
                break;
            case MsgOp.Exit:
                OnExit(ProcessMessageDecoder.DecodeExit(sample));
                break;
            case MsgOp.Clone:
                OnClone(ProcessMessageDecoder.DecodeClone(sample));
                break;
            case MsgOp.GenericKprobe or MsgOp.GenericTracepoint or MsgOp.GenericUprobe or MsgOp.GenericLsm when Generic is not null:
                Generic.OnSample(sample);
                break;
            default:
                throw new InvalidDataException($"unknown opcode {ProcessMessageDecoder.ReadCommon(sample).Op}");
        }
    }

    /// <summary>
    /// Drops the cache's processes that are gone from /proc: their exits were lost (a full ring
    /// buffer), and nothing else would ever remove them. A pid found gone is only dropped when it is
    /// still gone at the next pass, so an exit still on its way through the ring is reported, not
    /// pruned. Returns how many were dropped.
    /// </summary>
    public int PruneExited()
    {
        var gone = cache.Pids().Where(pid => !scanner.Exists(pid)).ToHashSet();
        var pruned = 0;
        foreach (var pid in gone.Where(suspects.Contains))
        {
            if (cache.Exit(pid) is not null)
            {
                pruned++;
            }
        }

        suspects = gone.Where(pid => cache.Get(pid) is not null).ToHashSet(); // gone now, dropped next time
        counters.Add(AgentCounters.ProcessCachePruned, pruned);
        return pruned;
    }

    /// <summary>Pids found gone by the last <see cref="PruneExited"/>, dropped if still gone at the next.</summary>
    public bool HasPruneSuspects => suspects.Count > 0;

    private HashSet<uint> suspects = [];

    /// <summary>A process found by the start-up scan: known, flagged procFS, no event.</summary>
    public ProcessEntry AddProcFs(ProcessSnapshot snapshot)
    {
        var parent = cache.Get(snapshot.Ppid);
        var resolution = containers.Resolve(snapshot.CgroupId);
        var inInitTree = InitTree.Of(snapshot.PidNamespace, snapshot.NsPid, parent, factory.HostNamespaces);
        var process = factory.Build(snapshot, FlagWords("procFS", snapshot, cloned: false), parent?.ExecId, resolution.Container, inInitTree);
        return Placed(cache.Add(snapshot.Pid, process, parent, snapshot.CgroupId), snapshot.PidNamespace, snapshot.NsPid, inInitTree);
    }

    private static ProcessEntry Placed(ProcessEntry entry, uint pidNamespace, uint nsPid, bool? inInitTree)
    {
        entry.PidNamespace = pidNamespace;
        entry.NsPid = nsPid;
        entry.InInitTree = inInitTree;
        return entry;
    }

    /// <summary>Releases waiting events whose container is now known or whose wait is over (all of them when <paramref name="force"/>).</summary>
    public void FlushDeferred(bool force = false)
    {
        var now = force ? DateTimeOffset.MaxValue : time.GetUtcNow();
        while (deferred.TryPeek(out var item))
        {
            if (item.Entry.ContainerPending)
            {
                var resolution = containers.Resolve(item.Entry.CgroupId);
                if (resolution.Pending && now < item.Deadline)
                {
                    return; // keep order: everything behind waits too
                }

                if (resolution.Pending)
                {
                    counters.Add(AgentCounters.ContainerPendingTimeouts);
                }

                ProcessFactory.SetContainer(item.Entry.Process, resolution.Container, item.Entry.NsPid);
                item.Entry.ContainerPending = false;
            }

            deferred.Dequeue();
            publish(item.Build());
        }
    }

    private void OnExec(ExecMessage m)
    {
        var h = m.Header;
        var previous = cache.Get(h.Pid);
        var parent = cache.Get(h.Ppid) ?? AddMissingParent(h.Ppid);
        var snapshot = new ProcessSnapshot
        {
            Pid = h.Pid,
            Ppid = h.Ppid,
            KtimeNs = h.Common.Ktime,
            Binary = m.Binary != "/" ? m.Binary : m.Argv.FirstOrDefault() ?? "",
            Argv = m.Argv,
            Cwd = m.Cwd,
            Uid = h.Creds.Uid,
            Gid = h.Creds.Gid,
            Euid = h.Creds.Euid,
            Egid = h.Creds.Egid,
            Suid = h.Creds.Suid,
            Sgid = h.Creds.Sgid,
            FsUid = h.Creds.FsUid,
            FsGid = h.Creds.FsGid,
            Auid = h.Auid,
            CapPermitted = h.Creds.CapPermitted,
            CapEffective = h.Creds.CapEffective,
            CapInheritable = h.Creds.CapInheritable,
            Namespaces = [.. h.Ns],
            NsPid = h.NsPid,
            BinaryInode = h.BinaryIno,
            BinaryLinks = h.BinaryNlink,
            PrivilegedExec = h.Privileged != 0,
            CgroupId = h.CgroupId,
            ExtraFlags = ExtraFlags(m.Flags),
            Environment = m.Environment,
        };
        var cloned = previous is { IsClone: true };
        var resolution = containers.Resolve(h.CgroupId, m.CgroupPath);
        var inInitTree = InitTree.Of(snapshot.PidNamespace, h.NsPid, parent, factory.HostNamespaces);
        var process = factory.Build(snapshot, FlagWords("execve", snapshot, cloned), parent?.ExecId, resolution.Container, inInitTree);
        var entry = Placed(cache.Add(h.Pid, process, parent, h.CgroupId), snapshot.PidNamespace, h.NsPid, inInitTree);
        entry.ContainerPending = resolution.Pending;

        var eventTime = factory.Clock.ToWallClock(h.Common.Ktime);
        Emit(entry, () => new GetEventsResponse
        {
            ProcessExec = new ProcessExec { Process = entry.Process, Parent = parent?.Process, Ancestors = { AncestorsOf(entry) } },
            NodeName = factory.NodeName,
            Time = Timestamp.FromDateTimeOffset(eventTime),
        });
    }

    private void OnClone(MsgClone m)
    {
        var parent = cache.Get(m.Ppid) ?? AddMissingParent(m.Ppid);
        if (parent is null)
        {
            counters.Add(AgentCounters.ProcessCacheMisses);
            return;
        }

        var inInitTree = InitTree.Of(m.PidNs, m.NsPid, parent, factory.HostNamespaces);
        var entry = Placed(
            cache.AddClone(m.Pid, () => factory.BuildClone(parent.Process, m.Pid, m.Common.Ktime, m.NsPid, inInitTree), parent, m.CgroupId),
            m.PidNs, m.NsPid, inInitTree);
        entry.ContainerPending = parent.ContainerPending;
    }

    private void OnExit(MsgExit m)
    {
        var entry = cache.Exit(m.Pid);
        if (entry is null)
        {
            counters.Add(AgentCounters.ProcessCacheMisses);
            return;
        }

        var signal = (int)(m.ExitCode & 0x7f);
        var eventTime = Timestamp.FromDateTimeOffset(factory.Clock.ToWallClock(m.Common.Ktime));
        Emit(entry, () => new GetEventsResponse
        {
            ProcessExit = new ProcessExit
            {
                Process = entry.Process,
                Parent = entry.Parent?.Process,
                Signal = SignalNames.Of(signal),
                Status = (m.ExitCode >> 8) & 0xff,
                Time = eventTime,
                Ancestors = { AncestorsOf(entry) },
            },
            NodeName = factory.NodeName,
            Time = eventTime,
        });
    }

    /// <summary>
    /// A generic sensor's event (process_kprobe, ...): it shares the process object, so it waits
    /// behind the process's exec while the container is pending. Published at once, it would
    /// reach the JSON export without the container that a later gRPC read would show.
    /// </summary>
    public void EmitHookEvent(ProcessEntry? entry, GetEventsResponse response)
    {
        if (entry is null || !MustWait(entry))
        {
            publish(response);
            return;
        }

        Defer(entry, () => response);
    }

    private IEnumerable<Api.Process> AncestorsOf(ProcessEntry entry) => Ancestors.Base ? AncestorEvents.Of(entry) : Array.Empty<Api.Process>();

    private void Emit(ProcessEntry entry, Func<GetEventsResponse> build)
    {
        if (MustWait(entry))
        {
            Defer(entry, build);
            return;
        }

        publish(build());
    }

    /// <summary>Its container is pending, or an earlier event of it still waits (order per process).</summary>
    public bool MustWait(ProcessEntry entry) => entry.ContainerPending || (deferred.Count > 0 && IsDeferred(entry));

    private bool IsDeferred(ProcessEntry entry)
    {
        foreach (var d in deferred)
        {
            if (d.Entry == entry)
            {
                return true;
            }
        }

        return false;
    }

    private void Defer(ProcessEntry entry, Func<GetEventsResponse> build)
    {
        deferred.Enqueue(new Deferred(entry, build, time.GetUtcNow() + PendingTimeout));
        if (deferred.Count > MaxDeferred)
        {
            var oldest = deferred.Dequeue();
            oldest.Entry.ContainerPending = false;
            counters.Add(AgentCounters.ContainerPendingTimeouts);
            publish(oldest.Build());
        }
    }

    /// <summary>A parent we never saw (raced the start-up scan): read it from /proc now.</summary>
    private ProcessEntry? AddMissingParent(uint ppid)
    {
        if (ppid == 0)
        {
            return null;
        }

        counters.Add(AgentCounters.ProcessCacheMisses);
        return scanner.Read(ppid) is { } snapshot ? AddProcFs(snapshot) : null;
    }

    private static string FlagWords(string origin, ProcessSnapshot s, bool cloned)
    {
        var flags = origin;
        if (s.Cwd == "/")
        {
            flags += " rootcwd";
        }

        if (cloned)
        {
            flags += " clone";
        }

        foreach (var extra in s.ExtraFlags)
        {
            flags += " " + extra;
        }

        return flags;
    }

    private static string[] ExtraFlags(ExecFlags flags)
    {
        var words = new List<string>();
        if (flags.HasFlag(ExecFlags.TruncBinary))
        {
            words.Add("truncFilename");
        }

        if (flags.HasFlag(ExecFlags.TruncArgs))
        {
            words.Add("truncArgs");
        }

        if (flags.HasFlag(ExecFlags.ErrorArgs))
        {
            words.Add("errorArgs");
        }

        if (flags.HasFlag(ExecFlags.TruncCwd))
        {
            words.Add("errorCWD");
        }

        return [.. words];
    }

    private sealed record Deferred(ProcessEntry Entry, Func<GetEventsResponse> Build, DateTimeOffset Deadline);
}
