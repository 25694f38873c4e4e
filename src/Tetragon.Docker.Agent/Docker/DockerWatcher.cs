using Docker.DotNet;
using Docker.DotNet.Models;
using Polly;
using Polly.Retry;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// Keeps the resolver's caches fresh. Two loops: the cgroup refresher (independent of Docker) and
/// the Engine API session: subscribe to /events, list and inspect every container, then apply
/// events and fetch requests in order. A missing socket or a restarting dockerd is retried by a
/// Polly pipeline (exponential backoff, 1 s to 30 s); until it answers, the resolver gives
/// container ids without metadata. Start-up waits for one first attempt (bounded), so processes
/// found by the /proc scan already carry their containers.
/// </summary>
internal sealed class DockerWatcher : BackgroundService
{
    public static readonly TimeSpan FirstAttemptTimeout = TimeSpan.FromSeconds(5);

    private readonly DockerContainerResolver resolver;
    private readonly Uri endpoint;
    private readonly TimeProvider time;
    private readonly ILogger<DockerWatcher> logger;
    private readonly ResiliencePipeline connectPipeline;
    private readonly CancellationTokenSource lifetime = new();
    private DockerClient? client;
    private int disposed;

    public DockerWatcher(DockerContainerResolver resolver, Uri endpoint, TimeProvider time, ILogger<DockerWatcher> logger, TimeSpan? firstRetryDelay = null)
    {
        this.resolver = resolver;
        this.endpoint = endpoint;
        this.time = time;
        this.logger = logger;
        connectPipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstRetryDelay ?? TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    resolver.DockerReachable = false;
                    logger.LogWarning(
                        "docker: cannot reach {Endpoint}: {Error}; retrying in {Delay:0.#}s",
                        endpoint, Describe(args.Outcome.Exception), args.RetryDelay.TotalSeconds);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Number of completed listings (1 after the first successful connect).</summary>
    public int Connections { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        resolver.Index.FullScan();
        logger.LogInformation(
            "docker: cgroup index: {Containers} container cgroups, {Hosts} host cgroups",
            resolver.Index.ContainerCgroups, resolver.Index.HostCgroups);
        using var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        first.CancelAfter(FirstAttemptTimeout);
        try
        {
            await ConnectAsync(first.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            resolver.DockerReachable = false;
            logger.LogWarning("docker: cannot reach {Endpoint}: {Error}; events carry container ids without names until it answers", endpoint, Describe(e));
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await lifetime.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Idempotent: the container disposes it both as a singleton and as the hosted service.</summary>
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        lifetime.Cancel();
        client?.Dispose();
        lifetime.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cgroups = RefreshCgroupsAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!resolver.DockerReachable)
                    {
                        await connectPipeline.ExecuteAsync(async ct => await ConnectAsync(ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    }

                    await FollowAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    resolver.DockerReachable = false;
                    logger.LogWarning("docker: lost {Endpoint}: {Error}; reconnecting", endpoint, Describe(e));
                }
            }
        }
        finally
        {
            await cgroups.ConfigureAwait(false);
        }
    }

    /// <summary>Subscribes to /events first (nothing is missed), then lists and inspects every container.</summary>
    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        client?.Dispose();
        client = new DockerClientConfiguration(endpoint, defaultTimeout: TimeSpan.FromSeconds(10)).CreateClient();
        var version = await client.System.GetVersionAsync(cancellationToken).ConfigureAwait(false);

        // The stream outlives this call (whose token may be a start-up timeout): it ends with the agent or the session.
        var session = client;
        _ = Task.Run(() => MonitorAsync(session, lifetime.Token), CancellationToken.None);

        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, cancellationToken).ConfigureAwait(false);
        var infos = new List<ContainerInfo>(listed.Count);
        foreach (var container in listed)
        {
            try
            {
                infos.Add(ContainerInfoMapper.FromInspect(await client.Containers.InspectContainerAsync(container.ID, cancellationToken).ConfigureAwait(false)));
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed between the list and the inspect.
            }
        }

        resolver.Cache.ReplaceAll(infos);
        resolver.NotifyChanged();
        resolver.DockerReachable = true;
        Connections++;
        logger.LogInformation(
            "docker: connected to {Endpoint} (engine {Version}, API {Api}): {Count} containers",
            endpoint, version.Version, version.APIVersion, infos.Count);
    }

    private async Task MonitorAsync(DockerClient session, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            var parameters = new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["type"] = new Dictionary<string, bool> { ["container"] = true } },
            };
            var progress = new ChannelProgress<Message>(m =>
            {
                if (ContainerInfoMapper.FromMessage(m) is { } e)
                {
                    resolver.Post(new DockerWork.Event(e));
                }
            });
            await session.System.MonitorEventsAsync(parameters, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            error = e;
        }

        if (ReferenceEquals(session, client))
        {
            // Must not be dropped: it is what ends the session.
            while (!resolver.Post(new DockerWork.StreamEnded(error)) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Applies events and runs fetches in order until the event stream ends.</summary>
    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        await foreach (var item in resolver.Work.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case DockerWork.Event e:
                    resolver.Apply(e.Container);
                    break;
                case DockerWork.Fetch f:
                    await FetchAsync(f.ContainerId, cancellationToken).ConfigureAwait(false);
                    break;
                case DockerWork.StreamEnded s:
                    resolver.Cache.ClearFetches();
                    throw new IOException("the /events stream ended" + (s.Error is null ? "" : ": " + Describe(s.Error)), s.Error);
            }
        }
    }

    private async Task FetchAsync(string containerId, CancellationToken cancellationToken)
    {
        if (!resolver.DockerReachable || client is null)
        {
            resolver.Cache.EndFetch(containerId);
            return;
        }

        try
        {
            var inspect = await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
            resolver.Cache.Set(ContainerInfoMapper.FromInspect(inspect));
            resolver.NotifyChanged();
        }
        catch (DockerContainerNotFoundException)
        {
            // A cgroup named like Docker's that this dockerd does not know: its id is all there is.
            resolver.Cache.Set(ContainerCache.IdOnly(containerId));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            resolver.Cache.EndFetch(containerId);
            throw;
        }
    }

    private async Task RefreshCgroupsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await resolver.CgroupSignal.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                resolver.CgroupSignal.TryRead(out _);
                while (resolver.Index.Refresh() is { } again)
                {
                    resolver.NotifyChanged();
                    await Task.Delay(again, time, cancellationToken).ConfigureAwait(false);
                }

                resolver.NotifyChanged();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string Describe(Exception? e) => e switch
    {
        null => "unknown error",
        HttpRequestException { InnerException: { } inner } => inner.Message,
        _ => e.Message,
    };
}
