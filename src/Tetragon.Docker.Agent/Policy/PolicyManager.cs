using System.Buffers.Binary;
using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Agent.Sensors;
using Tetragon.Docker.Api;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Policy;
using Tetragon.Docker.Policy.Plan;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// The TracingPolicy lifecycle: add (all or nothing), delete, enable, disable, list.
/// A policy becomes map entries of the generic sensor (config, filter values, syscall
/// routes) plus attach links for tracepoints and uprobes. One operation at a time.
/// </summary>
internal sealed class PolicyManager(GenericSensor sensor, KernelFeatures kernel, GenericHookRegistry registry, string procRoot, ILogger logger)
{
    private bool trackingBinaries;
    private bool trackingBaselines;
    private ulong followBits;
    private Dictionary<string, ulong> followTable = new(StringComparer.Ordinal);

    private readonly Lock gate = new();
    private readonly Dictionary<string, LoadedPolicy> policies = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<uint>> routes = [];
    private ulong nextPolicyId = 1;
    private uint nextHookId = 1;

    /// <summary>Keeps the cgroups of policies scoped to containers; null without Docker (such policies are refused).</summary>
    public ContainerScopes? Scopes { get; init; }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return policies.Count;
            }
        }
    }

    /// <summary>Parses, checks and loads a policy; on any failure nothing of it stays in the kernel.</summary>
    /// <param name="mode">Loads it in this mode instead of its own policy-mode (tetra tracingpolicy add --mode).</param>
    public LoadedPolicy Add(string yaml, string source, PolicyMode? mode = null)
    {
        var result = TracingPolicyLoader.Load(yaml, source);
        if (!result.Success)
        {
            throw new PolicyRejectedException(string.Join("\n", result.Errors.Select(e => e.ToString())));
        }

        var plan = result.Plan;
        lock (gate)
        {
            if (policies.ContainsKey(plan.Name))
            {
                throw new PolicyRejectedException($"metadata.name: tracing policy {plan.Name} already exists");
            }

            var problems = EngineSupport.Check(plan, kernel);
            if (ContainerScope.Of(plan) is not null && Scopes is null)
            {
                var field = plan.PodSelector is not null ? "spec.podSelector" : plan.ContainerSelector is not null ? "spec.containerSelector" : "kind";
                problems.Add($"{field}: {(field == "kind" ? "a TracingPolicyNamespaced applies to the containers of its namespace (the compose project)" : "selects containers")} by Docker's names and labels, and this agent runs without Docker (--enable-docker=false)");
            }

            if (problems.Count > 0)
            {
                throw new PolicyRejectedException(string.Join("\n", problems));
            }

            var loaded = new LoadedPolicy(nextPolicyId, plan);
            if (mode is { } chosen)
            {
                if (!loaded.Enforces)
                {
                    logger.LogWarning("tracing policy {Name} has no enforcement action: mode {Mode} changes nothing", plan.Name, PolicyModeNames.Of(chosen));
                }

                loaded.Mode = chosen;
            }

            var hooks = Encode(plan, problems);
            if (problems.Count > 0)
            {
                throw new PolicyRejectedException(string.Join("\n", problems.Select(p => $"policy \"{plan.Name}\": {p}")));
            }

            try
            {
                Install(loaded, hooks);
            }
            catch (Exception e) when (e is BpfException or IOException or InvalidOperationException)
            {
                Uninstall(loaded);
                FitKernelSide(adding: null);
                throw new PolicyRejectedException($"policy \"{plan.Name}\": cannot load: {e.Message}");
            }

            nextPolicyId++;
            policies[plan.Name] = loaded;
            logger.LogInformation("tracing policy {Name} loaded: {Hooks} hook(s): {Targets}", plan.Name, loaded.Hooks.Count, string.Join(", ", loaded.Hooks.Select(h => h.FunctionName + (h.Site is null ? "" : " " + h.Site))));
            return loaded;
        }
    }

    public void Delete(string name)
    {
        lock (gate)
        {
            var loaded = policies.GetValueOrDefault(name) ?? throw new PolicyNotFoundException(name);
            Uninstall(loaded);
            policies.Remove(name);
            FitKernelSide(adding: null);
            logger.LogInformation("tracing policy {Name} deleted", name);
        }
    }

    public void SetEnabled(string name, bool enabled)
    {
        lock (gate)
        {
            var loaded = policies.GetValueOrDefault(name) ?? throw new PolicyNotFoundException(name);
            WriteState(loaded, enabled, loaded.Mode);
            loaded.Enabled = enabled;
            logger.LogInformation("tracing policy {Name} {State}", name, enabled ? "enabled" : "disabled");
        }
    }

    /// <summary>Tetragon's set-mode: monitor reports the policy's Sigkill, Signal and Override without doing them.</summary>
    public void SetMode(string name, PolicyMode mode)
    {
        lock (gate)
        {
            var loaded = policies.GetValueOrDefault(name) ?? throw new PolicyNotFoundException(name);
            if (!loaded.Enforces)
            {
                throw new PolicyRejectedException($"tracing policy {name} has no enforcement action (Sigkill, Signal, Override): it only monitors, so its mode cannot change");
            }

            WriteState(loaded, loaded.Enabled, mode);
            loaded.Mode = mode;
            logger.LogInformation("tracing policy {Name} in {Mode} mode", name, PolicyModeNames.Of(mode));
        }
    }

    /// <summary>Every hook's config with the given enabled and monitor flags.</summary>
    private void WriteState(LoadedPolicy loaded, bool enabled, PolicyMode mode)
    {
        var hooksMap = sensor.Map("gen_hooks");
        foreach (var hook in loaded.Hooks)
        {
            hooksMap.Update(BitConverter.GetBytes(hook.Id), GenericHookEncoder.WithState(hook.Encoded.Config, enabled, mode == PolicyMode.Monitor));
        }
    }

    public List<TracingPolicyStatus> List()
    {
        lock (gate)
        {
            return policies.Values.OrderBy(p => p.Id).Select(Status).ToList();
        }
    }

    /// <summary>The generic sensors, one per policy and hook kind as Tetragon lists them, with the backends they run on.</summary>
    public List<SensorStatus> Sensors()
    {
        lock (gate)
        {
            return policies.Values.OrderBy(p => p.Id)
                .SelectMany(p => p.Hooks.GroupBy(h => SensorName(h.Plan.Kind)).Select(g => new SensorStatus
                {
                    Name = g.Key,
                    Collection = p.Name,
                    Enabled = p.Enabled,
                    Loaded = true,
                    Backend = string.Join(",", g.SelectMany(h => Backends(h.Plan)).Distinct()),
                }))
                .ToList();
        }
    }

    /// <summary>The program kinds a hook runs on (the README's backend table).</summary>
    private static IEnumerable<string> Backends(HookPlan plan)
    {
        if (Trampoline.Of(plan) is { } trampoline)
        {
            yield return trampoline.Lsm ? "lsm" : "fmod_ret";
            yield break;
        }

        switch (plan.Kind)
        {
            case HookKind.Syscall:
                yield return GenericSensor.SyscallBackend;
                break;
            case HookKind.KernelFunction:
                yield return "kprobe";
                if (plan.Return)
                {
                    yield return "kretprobe";
                }

                break;
            case HookKind.Uprobe:
                yield return "uprobe";
                if (plan.Return)
                {
                    yield return "uretprobe";
                }

                break;
            default:
                yield return "tracepoint";
                break;
        }
    }

    /// <summary>Kernel-side counters of one hook (seen, matched, posted, ...): the proof of in-kernel filtering.</summary>
    public HookCounters Counters(ActiveHook hook) => new(
        sensor.ReadCounter(hook.Id, L.CounterSeen),
        sensor.ReadCounter(hook.Id, L.CounterMatched),
        sensor.ReadCounter(hook.Id, L.CounterPosted),
        sensor.ReadCounter(hook.Id, L.CounterRateLimited),
        sensor.ReadCounter(hook.Id, L.CounterSignals),
        sensor.ReadCounter(hook.Id, L.CounterErrors),
        sensor.ReadCounter(hook.Id, L.CounterMonitored));

    /// <summary>
    /// Events each hook posted, as tetragon_policy_events_total{policy, hook} counts them; the hook
    /// named as Tetragon names it ("kprobe:FUNCTION", "tracepoint:SUBSYS_EVENT", "uprobe:PATH_SYMBOL", "lsm:HOOK").
    /// </summary>
    public List<(string Policy, string Hook, ulong Events)> PolicyEvents()
    {
        lock (gate)
        {
            return [.. policies.Values.SelectMany(p => p.Hooks.Select(h => (p.Name, MetricHookName(h), sensor.ReadCounter(h.Id, L.CounterPosted))))];
        }
    }

    private static string MetricHookName(ActiveHook h) => h.Plan.Target switch
    {
        TracepointTarget tp => $"tracepoint:{tp.Subsystem}_{tp.Event}",
        UprobeTarget up => $"uprobe:{up.Path}_{h.Site}",
        _ when h.Plan.Kind == HookKind.Lsm => "lsm:" + h.FunctionName,
        _ => "kprobe:" + h.FunctionName,
    };

    public IReadOnlyList<ActiveHook> Hooks(string name)
    {
        lock (gate)
        {
            return policies.GetValueOrDefault(name)?.Hooks.ToList() ?? throw new PolicyNotFoundException(name);
        }
    }

    private TracingPolicyStatus Status(LoadedPolicy p)
    {
        var counters = p.Hooks.Select(Counters).ToList();
        var status = new TracingPolicyStatus
        {
            Id = p.Id,
            Name = p.Name,
            Namespace = p.Plan.Namespace ?? "",
            Enabled = p.Enabled,
            State = p.Enabled ? TracingPolicyState.TpStateEnabled : TracingPolicyState.TpStateDisabled,
            Mode = p.Enforces && p.Mode == PolicyMode.Enforce ? TracingPolicyMode.TpModeEnforce : TracingPolicyMode.TpModeMonitor,
            Info = $"events={counters.Sum(c => (long)c.Posted)} errors={counters.Sum(c => (long)c.Errors)} matched={counters.Sum(c => (long)c.Matched)} seen={counters.Sum(c => (long)c.Seen)} rate_limited={counters.Sum(c => (long)c.RateLimited)} signals={counters.Sum(c => (long)c.Signals)} monitored={counters.Sum(c => (long)c.Monitored)}",
            KernelMemoryBytes = (ulong)p.Hooks.Sum(h => L.HookSize + (h.Encoded.StringKeys.Count * L.StrKeySize) + (h.Encoded.NumberKeys.Count * L.NumKeySize)),
        };
        for (var i = 0; i < p.Hooks.Count; i++)
        {
            var h = p.Hooks[i];
            status.Sensors.Add($"{SensorName(h.Plan.Kind)}:{h.FunctionName}{(h.Site is null ? "" : ":" + h.Site)}(events={counters[i].Posted},errors={counters[i].Errors})");
        }

        return status;
    }

    private static string SensorName(HookKind kind) => kind switch
    {
        HookKind.Tracepoint => "generic_tracepoint",
        HookKind.Uprobe => "generic_uprobe",
        HookKind.Lsm => "generic_lsm",
        _ => "generic_kprobe",
    };

    private List<(HookPlan Plan, EncodedHook Hook, UprobeSite? Site)> Encode(PolicyPlan plan, List<string> problems)
    {
        var result = new List<(HookPlan, EncodedHook, UprobeSite?)>();
        var reserved = new HashSet<uint>();
        var follow = new FollowChildrenBits(followBits);
        foreach (var hook in plan.Hooks)
        {
            TracepointFormat? format = null;
            byte op = MsgOp.GenericKprobe;
            var sites = new List<UprobeSite?> { null };
            switch (hook.Target)
            {
                case TracepointTarget tp:
                    op = MsgOp.GenericTracepoint;
                    try
                    {
                        format = TracepointFormat.Load(tp.Subsystem, tp.Event);
                    }
                    catch (IOException e)
                    {
                        problems.Add($"{hook.SourcePath}: {e.Message}");
                        continue;
                    }

                    break;
                case UprobeTarget up:
                    op = MsgOp.GenericUprobe;
                    if (!File.Exists(up.Path))
                    {
                        problems.Add($"{hook.SourcePath}.path: {up.Path} does not exist");
                        continue;
                    }

                    ulong RefCtr(int i) => i < up.RefCtrOffsets.Count ? up.RefCtrOffsets[i] : 0;
                    sites = up.Symbols.Count > 0
                        ? [.. up.Symbols.Select((s, i) => new UprobeSite(s, 0, RefCtr(i)))]
                        : [.. up.Offsets.Select((o, i) => new UprobeSite(null, o, RefCtr(i)))];
                    break;
                case LsmTarget:
                    op = MsgOp.GenericLsm;
                    break;
                case SyscallTarget sc when sc.Number >= L.MaxSyscalls:
                    problems.Add($"{hook.SourcePath}.call: syscall number {sc.Number} is beyond {L.MaxSyscalls}");
                    continue;
                default:
                    break;
            }

            foreach (var site in sites)
            {
                var id = AllocateHookId(reserved);
                if (id == 0)
                {
                    problems.Add($"{hook.SourcePath}: no free hook slot (at most {L.MaxHooks - 1} hooks in all policies)");
                    return result;
                }

                if (GenericHookEncoder.Encode(hook, id, op, format, problems, followBits: follow) is { } encoded)
                {
                    result.Add((hook, encoded, site));
                }
            }
        }

        return result;
    }

    private uint AllocateHookId(HashSet<uint> reserved)
    {
        for (var tries = 0; tries < L.MaxHooks; tries++)
        {
            var id = nextHookId;
            nextHookId = nextHookId + 1 >= L.MaxHooks ? 1 : nextHookId + 1;
            if (!registry.InUse(id) && reserved.Add(id))
            {
                return id;
            }
        }

        return 0;
    }

    private void Install(LoadedPolicy loaded, List<(HookPlan Plan, EncodedHook Hook, UprobeSite? Site)> hooks)
    {
        foreach (var family in hooks.Select(h => Family(h.Plan.Kind)).Distinct())
        {
            sensor.EnsureLoaded(family);
        }

        var strings = sensor.Map("gen_strings");
        var numbers = sensor.Map("gen_numbers");
        var hooksMap = sensor.Map("gen_hooks");
        if (ContainerScope.Of(loaded.Plan) is { } scope)
        {
            // The containers' cgroups first: the hooks fire in them from the start.
            Scopes!.Add(ScopeId(loaded), scope);
            foreach (var (_, encoded, _) in hooks)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(encoded.Config.AsSpan(L.HookScope), ScopeId(loaded));
            }
        }

        foreach (var (plan, encoded, site) in hooks)
        {
            var active = new ActiveHook(encoded.HookId, loaded.Name, plan, encoded, site);
            loaded.Hooks.Add(active);
            registry.Add(active);
            foreach (var key in encoded.StringKeys)
            {
                strings.Update(key, [1]);
            }

            foreach (var key in encoded.NumberKeys)
            {
                numbers.Update(key, [1]);
            }

            hooksMap.Update(BitConverter.GetBytes(encoded.HookId), GenericHookEncoder.WithState(encoded.Config, enabled: true, monitor: loaded.Mode == PolicyMode.Monitor));
        }

        // Before any route: a return hook's pending entry always meets its sys_exit, and
        // matchBinaries finds the binaries already kept.
        FitKernelSide(adding: loaded);

        // Attach and route last: the first event finds its config in place.
        foreach (var hook in loaded.Hooks)
        {
            switch (hook.Plan.Target)
            {
                case TracepointTarget tp:
                    loaded.Links.Add(sensor.AttachTracepoint(tp.Subsystem, tp.Event, hook.Id));
                    break;
                case UprobeTarget up:
                    loaded.Links.Add(sensor.AttachUprobe(up.Path, hook.Site!, false, hook.Id));
                    if (hook.Plan.Return)
                    {
                        loaded.Links.Add(sensor.AttachUprobe(up.Path, hook.Site!, true, hook.Id));
                    }

                    break;
                case var _ when Trampoline.Of(hook.Plan) is { } trampoline:
                    {
                        var (obj, link) = sensor.AttachTrampoline(trampoline, hook.Id);
                        loaded.Objects.Add(obj);
                        loaded.Links.Add(link);
                        break;
                    }

                case KernelFunctionTarget fn:
                    loaded.Links.Add(sensor.AttachKprobe(fn.Symbol, false, hook.Id));
                    if (hook.Plan.Return)
                    {
                        loaded.Links.Add(sensor.AttachKprobe(fn.Symbol, true, hook.Id));
                    }

                    break;
                case SyscallTarget sc:
                    AddRoute(sc.Number, hook.Id);
                    loaded.Routes.Add((sc.Number, hook.Id));
                    break;
                default:
                    throw new InvalidOperationException($"{hook.Plan.SourcePath}: no backend for {hook.Plan.Kind}");
            }
        }
    }

    private static uint ScopeId(LoadedPolicy loaded) => (uint)loaded.Id;

    private void Uninstall(LoadedPolicy loaded)
    {
        Scopes?.Remove(ScopeId(loaded));
        foreach (var (nr, hook) in loaded.Routes)
        {
            RemoveRoute(nr, hook);
        }

        loaded.Routes.Clear();
        foreach (var link in loaded.Links)
        {
            link.Dispose();
        }

        loaded.Links.Clear();
        foreach (var obj in loaded.Objects)
        {
            obj.Dispose();
        }

        loaded.Objects.Clear();
        if (loaded.Hooks.Count == 0)
        {
            return;
        }

        var strings = sensor.Map("gen_strings");
        var numbers = sensor.Map("gen_numbers");
        var hooksMap = sensor.Map("gen_hooks");
        foreach (var hook in loaded.Hooks)
        {
            hooksMap.Update(BitConverter.GetBytes(hook.Id), new byte[L.HookSize]);
            foreach (var key in hook.Encoded.StringKeys)
            {
                strings.Delete(key);
            }

            foreach (var key in hook.Encoded.NumberKeys)
            {
                numbers.Delete(key);
            }

            registry.Remove(hook.Id);
        }

        loaded.Hooks.Clear();
    }

    private void AddRoute(int nr, uint hook)
    {
        if (!routes.TryGetValue(nr, out var list))
        {
            routes[nr] = list = [];
        }

        if (list.Count >= L.RouteHooks)
        {
            throw new InvalidOperationException($"syscall {nr} already has {L.RouteHooks} hooks");
        }

        list.Add(hook);
        WriteRoute(nr, list);
    }

    private void RemoveRoute(int nr, uint hook)
    {
        if (routes.TryGetValue(nr, out var list) && list.Remove(hook))
        {
            WriteRoute(nr, list);
        }
    }

    private void WriteRoute(int nr, List<uint> list)
    {
        var value = new byte[L.RouteSize];
        BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4 + (4 * i)), list[i]);
        }

        sensor.Map("gen_routes").Update(BitConverter.GetBytes((uint)nr), value);
    }

    /// <summary>
    /// What runs on every syscall or exec runs only while some installed hook (or the one
    /// being added) needs it: sys_exit for return values, binary tracking for matchBinaries.
    /// </summary>
    private void FitKernelSide(LoadedPolicy? adding)
    {
        var hooks = policies.Values.Append(adding).OfType<LoadedPolicy>().SelectMany(p => p.Hooks).ToList();
        sensor.SetSyscallExit(hooks.Any(h => h.Plan.Target is SyscallTarget && h.Plan.Return));
        SetBinaryTracking(hooks.Any(h => h.Plan.Selectors.Any(s => s.MatchBinaries.Count > 0)));
        SetBaselineTracking(hooks.Any(h => h.Plan.Selectors.Any(s => s.MatchCapabilityChanges.Count > 0 || s.MatchNamespaceChanges.Count > 0)));
        SetFollowChildren(hooks.SelectMany(h => h.Encoded.Follow).ToList());
    }

    /// <summary>
    /// followChildren: the binaries' bits into follow_binaries, exec's lookup on while any filter
    /// needs it, then running processes seeded with the new bits and cleared of the freed ones.
    /// </summary>
    private void SetFollowChildren(List<FollowFilter> filters)
    {
        var table = new Dictionary<string, ulong>(StringComparer.Ordinal);
        ulong bits = 0;
        foreach (var filter in filters)
        {
            bits |= 1UL << filter.Bit;
            foreach (var binary in filter.Binaries)
            {
                table[binary] = table.GetValueOrDefault(binary) | (1UL << filter.Bit);
            }
        }

        var map = sensor.Process.FollowBinaries;
        foreach (var (binary, mask) in table.Where(t => followTable.GetValueOrDefault(t.Key) != t.Value))
        {
            map.Update(FollowChildrenSeeder.Key(binary), BitConverter.GetBytes(mask));
        }

        foreach (var stale in followTable.Keys.Where(k => !table.ContainsKey(k)))
        {
            map.Delete(FollowChildrenSeeder.Key(stale));
        }

        sensor.Process.SetFollowTracking(bits != 0);
        var (added, freed) = (bits & ~followBits, followBits & ~bits);
        followBits = bits;
        followTable = table;
        if ((added | freed) != 0)
        {
            var seeded = FollowChildrenSeeder.Apply(sensor.Process.ExecBinaries, procRoot, table, added, freed);
            logger.LogInformation("matchBinaries followChildren: {Filters} filter(s) in use, {Seeded} running processes descend from their binaries", filters.Count, seeded);
        }
    }

    /// <summary>
    /// exec_binary_map is kept by the kernel only while some policy needs it. Turning it on
    /// comes before the seeding from /proc, so a process started in between is in either.
    /// </summary>
    private void SetBinaryTracking(bool on) => SetTracking(ref trackingBinaries, on, sensor.Process.SetBinaryTracking, () =>
        logger.LogInformation("matchBinaries in use: {Binaries} running binaries seeded from {Proc}", ExecBinarySeeder.Seed(sensor.Process.ExecBinaries, procRoot), procRoot));

    /// <summary>exec_baseline_map, the same way.</summary>
    private void SetBaselineTracking(bool on) => SetTracking(ref trackingBaselines, on, sensor.Process.SetBaselineTracking, () =>
        logger.LogInformation("matchCapabilityChanges / matchNamespaceChanges in use: {Processes} running processes' baselines seeded from {Proc}", ExecBaselineSeeder.Seed(sensor.Process.ExecBaselines, procRoot), procRoot));

    private static void SetTracking(ref bool tracking, bool on, Action<bool> set, Action seed)
    {
        if (on == tracking)
        {
            return;
        }

        set(on);
        tracking = on;
        if (on)
        {
            seed();
        }
    }

    private static GenericFamily Family(HookKind kind) => kind switch
    {
        HookKind.Tracepoint => GenericFamily.Tracepoint,
        HookKind.Uprobe => GenericFamily.Uprobe,
        HookKind.KernelFunction => GenericFamily.Kprobe,
        // A trampoline hook loads its own object; it needs a loaded family to share the maps of.
        HookKind.Lsm => GenericFamily.Tracepoint,
        _ => GenericFamily.Syscall,
    };
}
