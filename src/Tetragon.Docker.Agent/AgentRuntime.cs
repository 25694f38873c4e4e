using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Observer;
using Tetragon.Docker.Agent.Options;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Agent.Sensors;
using Tetragon.Docker.Bpf;

namespace Tetragon.Docker.Agent;

/// <summary>
/// Owns the kernel side and the pipeline: probe, load and attach the sensor, scan /proc,
/// then run the event loop: ring buffer → decoder → process cache → bus. Stops in reverse: detach first so the
/// kernel stops producing, drain what was written, then end the subscribers' queues.
/// </summary>
internal sealed class AgentRuntime(
    AgentOptions options,
    AgentCounters counters,
    EventBus bus,
    IContainerResolver containers,
    TimeProvider time,
    ILogger<AgentRuntime> logger) : IHostedService
{
    private ProcessSensor? sensor;
    private GenericSensor? generic;
    private EventLoop? loop;
    private UserSpaceActions? userActions;
    private ContainerScopes? scopes;

    public DateTimeOffset StartTime { get; } = time.GetUtcNow();

    /// <summary>While events flow, producers wake the reader only when 1/8 of the ring waits (it also polls on a timer: see EventLoop).</summary>
    private ulong BatchWakeupBytes => Math.Max(4096, options.RbSize / 8);

    public bool Running { get; private set; }

    public string? SensorError { get; private set; }

    public ProcessCache Cache { get; } = new(options.ProcessCacheSize, counters.Cell(AgentCounters.ProcessCacheEvicted));

    /// <summary>TracingPolicy lifecycle; null until the sensors are loaded.</summary>
    public PolicyManager? Policies { get; private set; }

    /// <summary>Policy changes over gRPC, recorded with --persist-grpc-policies; null until the sensors are loaded.</summary>
    public GrpcPolicies? GrpcPolicies { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var features = KernelFeatures.Probe();
        if (features.MissingForProcessSensor() is { } missing)
        {
            SensorError = $"kernel {features.KernelRelease} lacks {missing}";
            throw new InvalidOperationException($"cannot start the process sensor: {SensorError}");
        }

        sensor = ProcessSensor.Load(options.BpfLib, options.RbSize, wakeupBytes: BatchWakeupBytes);
        counters.KernelLostReader = sensor.ReadLostEvents;
        counters.KernelLostByOpReader = sensor.ReadLostEventsByOp;
        counters.ThrottleDroppedReader = sensor.ReadThrottleDropped;
        logger.LogInformation(
            "sensor {Sensor} loaded: backend {Backend}, {Links} programs attached, ring buffer {Bytes} bytes",
            ProcessSensor.Name, ProcessSensor.Backend, sensor.AttachedLinks, options.RbSize);

        var cgroups = CgroupFs.Detect();
        var scanner = new ProcFsScanner(options.ProcRoot, cgroups);
        var factory = new ProcessFactory(options.NodeName, new BootClock(), HostNamespaces.FromProc(options.ProcRoot), options.EnableProcessCred, options.EnableProcessNs, options.Redaction())
        {
            Environment = options.EnableProcessEnvironmentVariables ? EnvironmentFilter.Parse(options.FilterEnvironmentVariables, options.Redaction()) : null,
            UserNames = options.UsernameMetadata == "unix" ? UserNames.ForHost(options.ProcRoot, time) : null,
        };
        if (options.EnableProcessEnvironmentVariables)
        {
            sensor.SetEnvironmentBytes(ProcessSensor.MaxEnvironmentBytes);
        }
        var handler = new ProcessEventHandler(Cache, factory, scanner, containers, counters, bus.Publish, time) { Ancestors = options.Ancestors() };
        var registry = new GenericHookRegistry();
        generic = new GenericSensor(options.BpfLib, sensor);
        // Policies scoped to containers need Docker's names and labels.
        var genericSensor = generic;
        scopes = containers is DockerContainerResolver
            ? new ContainerScopes(containers, (scope, cgroup, add) => ScopeEntry(genericSensor, scope, cgroup, add))
            : null;
        Policies = new PolicyManager(generic, features, registry, options.ProcRoot, logger) { Scopes = scopes };
        GrpcPolicies = new GrpcPolicies(Policies, options.PersistGrpcPolicies ? new GrpcPolicyStore(options.PersistGrpcPoliciesDir) : null, logger);
        userActions = new UserSpaceActions(counters, logger);
        handler.Generic = new GenericEventDecoder(registry, Cache, factory, counters, handler, bus) { Actions = userActions, UserStacks = new UserSymbols(options.ProcRoot) };
        logger.LogInformation("generic sensors ready (syscalls via {Backend}, tracepoints, uprobes)", GenericSensor.SyscallBackend);

        // Attached before the scan: a process started in between is seen by both, never by neither.
        CgroupThrottleMonitor? throttle = null;
        if (options.CgroupRateLimit() is { } rate)
        {
            sensor.SetCgroupRate(rate.Events, (ulong)(rate.Interval.Ticks * TimeSpan.NanosecondsPerTick));
            throttle = new CgroupThrottleMonitor(sensor, factory.Clock, options.NodeName, bus.Publish);
            logger.LogInformation("cgroup rate: a cgroup over {Events} exec and exit events per {Interval} is throttled", rate.Events, options.CgroupRate.Split(',')[1].Trim());
        }

        loop = new EventLoop(sensor.RingBufferFd, handler, bus, counters, logger, idle => sensor.SetWakeupBytes(idle ? 1 : BatchWakeupBytes)) { Throttle = throttle };
        var known = 0;
        foreach (var snapshot in scanner.Scan())
        {
            handler.AddProcFs(snapshot);
            known++;
        }

        logger.LogInformation("process cache: {Count} processes from /proc (cgroup2 at {Root})", known, cgroups.Root ?? "none");
        loop.Start();
        Running = true;
        LoadStartupPolicies();
        if (options.PersistGrpcPolicies)
        {
            logger.LogInformation("tracing policies restored from {Directory}: {Count}", options.PersistGrpcPoliciesDir, GrpcPolicies.Restore());
        }

        return Task.CompletedTask;
    }

    /// <summary>--tracing-policy and every *.yaml / *.yml in --tracing-policy-dir; a bad one is logged and skipped.</summary>
    private void LoadStartupPolicies()
    {
        var files = new List<string>();
        if (!string.IsNullOrEmpty(options.TracingPolicy))
        {
            files.Add(options.TracingPolicy);
        }

        if (!string.IsNullOrEmpty(options.TracingPolicyDir) && Directory.Exists(options.TracingPolicyDir))
        {
            files.AddRange(Directory.EnumerateFiles(options.TracingPolicyDir)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        }

        foreach (var file in files)
        {
            try
            {
                Policies!.Add(File.ReadAllText(file), file);
            }
            catch (Exception e) when (e is PolicyRejectedException or IOException or UnauthorizedAccessException)
            {
                logger.LogError("tracing policy {File} not loaded: {Error}", file, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Running = false;
        scopes?.Dispose();
        generic?.Dispose();
        sensor?.Detach();
        loop?.Dispose(); // drains the ring and releases deferred events before returning
        userActions?.Dispose();
        var lost = sensor?.ReadLostEvents() ?? 0;
        sensor?.Dispose();
        bus.CompleteAll();
        logger.LogInformation("stopped: {Events} events, {Lost} lost in the kernel, programs detached", counters.Get(AgentCounters.EventsTotal), lost);
        return Task.CompletedTask;
    }

    public int AttachedPrograms => sensor?.AttachedLinks ?? 0;

    /// <summary>GetDebug's dump: the process cache's entries, read on the pipeline thread that owns it.</summary>
    public Task<List<Api.ProcessInternal>> DumpProcessCacheAsync(bool skipZeroRefcnt) =>
        loop is null
            ? Task.FromException<List<Api.ProcessInternal>>(new InvalidOperationException("the agent is not running"))
            : loop.Invoke(() => Cache.Entries()
                .Where(e => !skipZeroRefcnt || e.Refs > 0)
                .Select(e => new Api.ProcessInternal { Process = e.Process, Refcnt = (uint)e.Refs })
                .ToList());

    private static void ScopeEntry(GenericSensor generic, uint scope, ulong cgroup, bool add)
    {
        Span<byte> key = stackalloc byte[16]; // struct gen_scope_key
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(key, scope);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(key[8..], cgroup);
        var map = generic.Map("gen_scopes");
        if (add)
        {
            map.Update(key, [1]);
        }
        else
        {
            map.Delete(key);
        }
    }
}
