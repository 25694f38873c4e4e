using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Logging;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Options;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Agent.Sensors;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Server;

/// <summary>Tetragon's gRPC API. Each GetEvents stream is a bus subscriber with its own bounded queue.</summary>
internal sealed class FineGuidanceSensorsService(
    AgentOptions options,
    EventBus bus,
    AgentCounters counters,
    AgentRuntime runtime,
    LogLevelControl logLevel,
    IHostApplicationLifetime lifetime,
    ILogger<FineGuidanceSensorsService> logger) : FineGuidanceSensors.FineGuidanceSensorsBase
{
    public static string Version { get; } =
        typeof(FineGuidanceSensorsService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public override async Task GetEvents(GetEventsRequest request, IServerStreamWriter<GetEventsResponse> responseStream, ServerCallContext context)
    {
        EventFilter filter;
        FieldFilters fields;
        try
        {
            filter = EventFilter.Compile(request);
            fields = FieldFilters.Compile(request.FieldFilters);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }

        var peer = context.Peer;

        // Streams end when the agent stops, so shutdown never waits on a client.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        using var subscription = bus.Subscribe($"grpc {peer}", options.EventQueueSize, filter, AgentCounters.GrpcDropped);
        logger.LogInformation("GetEvents stream opened by {Peer}", peer);
        try
        {
            var batch = new List<GetEventsResponse>();
            while (await subscription.WaitAsync(ended.Token).ConfigureAwait(false))
            {
                subscription.TryTake(batch);
                foreach (var response in batch)
                {
                    await responseStream.WriteAsync(fields.Apply(response), ended.Token).ConfigureAwait(false);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
        }
        finally
        {
            logger.LogInformation("GetEvents stream of {Peer} closed ({Dropped} events dropped for it)", peer, subscription.Dropped);
        }
    }

    public override Task<GetHealthStatusResponse> GetHealth(GetHealthStatusRequest request, ServerCallContext context)
    {
        var status = new HealthStatus
        {
            Event = HealthStatusType.Status,
            Status = runtime.Running ? HealthStatusResult.HealthStatusRunning : HealthStatusResult.HealthStatusError,
            Details = runtime.Running ? "running" : runtime.SensorError ?? "not running",
        };
        return Task.FromResult(new GetHealthStatusResponse { HealthStatus = { status } });
    }

    public override Task<GetVersionResponse> GetVersion(GetVersionRequest request, ServerCallContext context) =>
        Task.FromResult(new GetVersionResponse { Version = Version });

    public override async Task<GetDebugResponse> GetDebug(GetDebugRequest request, ServerCallContext context)
    {
        switch (request.Flag)
        {
            case ConfigFlag.LogLevel:
                logger.LogDebug("{Peer} asked for the log level", context.Peer);
                return new GetDebugResponse { Flag = ConfigFlag.LogLevel, Level = logLevel.Level };
            case ConfigFlag.DumpProcessCache:
                logger.LogDebug("{Peer} asked for a dump of the process cache", context.Peer);
                try
                {
                    var processes = await runtime.DumpProcessCacheAsync(request.Dump?.SkipZeroRefcnt ?? false).WaitAsync(context.CancellationToken).ConfigureAwait(false);
                    return new GetDebugResponse { Flag = ConfigFlag.DumpProcessCache, Processes = new DumpProcessCacheResArgs { Processes = { processes } } };
                }
                catch (InvalidOperationException e)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
                }

            default:
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown config flag {(int)request.Flag}"));
        }
    }

    public override Task<SetDebugResponse> SetDebug(SetDebugRequest request, ServerCallContext context)
    {
        if (request.Flag != ConfigFlag.LogLevel)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"config flag {request.Flag} cannot be set (only CONFIG_FLAG_LOG_LEVEL)"));
        }

        if (!System.Enum.IsDefined(request.Level))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown log level {(int)request.Level}"));
        }

        var previous = logLevel.Set(request.Level);
        logger.LogWarning("log level changed from {Previous} to {Level} by {Peer}", previous, request.Level, context.Peer);
        return Task.FromResult(new SetDebugResponse { Flag = ConfigFlag.LogLevel, Level = logLevel.Level });
    }

    public override Task<ListSensorsResponse> ListSensors(ListSensorsRequest request, ServerCallContext context)
    {
        var response = new ListSensorsResponse();
        response.Sensors.AddRange(AllSensors());
        return Task.FromResult(response);
    }

    public override Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var response = new GetStatusResponse
        {
            Version = Version,
            StartTime = Timestamp.FromDateTimeOffset(runtime.StartTime),
        };
        response.Sensors.AddRange(AllSensors());
        response.Counters.Add(counters.Snapshot().ToDictionary());
        response.Counters["tetragon_process_cache_size"] = (ulong)runtime.Cache.Size;
        response.Counters["tetragon_process_cache_capacity"] = (ulong)runtime.Cache.Capacity;
        response.Counters["tetragon_grpc_subscribers"] = (ulong)Math.Max(0, bus.SubscriberCount - 1);
        return Task.FromResult(response);
    }

    public override Task<AddTracingPolicyResponse> AddTracingPolicy(AddTracingPolicyRequest request, ServerCallContext context)
    {
        var mode = request.HasMode ? ModeOf(request.Mode) : (PolicyMode?)null;
        Run(() => GrpcPolicies().Add(request.Yaml, mode));
        return Task.FromResult(new AddTracingPolicyResponse());
    }

    public override Task<DeleteTracingPolicyResponse> DeleteTracingPolicy(DeleteTracingPolicyRequest request, ServerCallContext context)
    {
        Run(() => GrpcPolicies().Delete(request.Name));
        return Task.FromResult(new DeleteTracingPolicyResponse());
    }

    public override Task<EnableTracingPolicyResponse> EnableTracingPolicy(EnableTracingPolicyRequest request, ServerCallContext context)
    {
        Run(() => GrpcPolicies().SetEnabled(request.Name, true));
        return Task.FromResult(new EnableTracingPolicyResponse());
    }

    public override Task<DisableTracingPolicyResponse> DisableTracingPolicy(DisableTracingPolicyRequest request, ServerCallContext context)
    {
        Run(() => GrpcPolicies().SetEnabled(request.Name, false));
        return Task.FromResult(new DisableTracingPolicyResponse());
    }

    /// <summary>Enable or disable, and set the mode (TP_MODE_ENFORCE / TP_MODE_MONITOR), in one call.</summary>
    public override Task<ConfigureTracingPolicyResponse> ConfigureTracingPolicy(ConfigureTracingPolicyRequest request, ServerCallContext context)
    {
        var mode = request.HasMode ? ModeOf(request.Mode) : (PolicyMode?)null;
        Run(() =>
        {
            if (mode is { } m)
            {
                GrpcPolicies().SetMode(request.Name, m);
            }

            if (request.HasEnable)
            {
                GrpcPolicies().SetEnabled(request.Name, request.Enable);
            }
        });
        return Task.FromResult(new ConfigureTracingPolicyResponse());
    }

    public override Task<ListTracingPoliciesResponse> ListTracingPolicies(ListTracingPoliciesRequest request, ServerCallContext context)
    {
        var response = new ListTracingPoliciesResponse();
        response.Policies.AddRange(Policies().List());
        return Task.FromResult(response);
    }

    /// <summary>The process sensor, then each policy's generic sensors.</summary>
    private IEnumerable<SensorStatus> AllSensors()
    {
        yield return new SensorStatus
        {
            Name = ProcessSensor.Name,
            Enabled = true,
            Backend = ProcessSensor.Backend,
            Loaded = runtime.Running,
            Error = runtime.SensorError ?? "",
        };
        foreach (var sensor in runtime.Policies?.Sensors() ?? [])
        {
            yield return sensor;
        }
    }

    private PolicyManager Policies() => runtime.Policies ?? throw NotLoaded();

    private GrpcPolicies GrpcPolicies() => runtime.GrpcPolicies ?? throw NotLoaded();

    private RpcException NotLoaded() => new(new Status(StatusCode.Unavailable, "sensors are not loaded: " + (runtime.SensorError ?? "starting")));

    /// <summary>A policy error is the caller's: InvalidArgument with every reason; an unknown name is NotFound.</summary>
    private static PolicyMode ModeOf(TracingPolicyMode mode) => mode switch
    {
        TracingPolicyMode.TpModeEnforce => PolicyMode.Enforce,
        TracingPolicyMode.TpModeMonitor => PolicyMode.Monitor,
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"mode: {mode} is not TP_MODE_ENFORCE or TP_MODE_MONITOR")),
    };

    private static void Run(Action action)
    {
        try
        {
            action();
        }
        catch (PolicyNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (PolicyRejectedException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }
}
