using System.Net;
using System.Threading.Channels;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Tetragon's GetUrl and DnsLookup actions, which the kernel cannot take: when a selector with
/// them matches, its event is posted, and here an HTTP GET of argUrl or a DNS lookup of argFqdn
/// follows (a canary: the request itself is the alert). The event thread only queues; a bounded
/// queue drops and counts what a storm brings beyond it, and one worker makes the requests, each
/// with a timeout, so a slow or dead endpoint never holds events back.
/// </summary>
internal sealed class UserSpaceActions : IDisposable
{
    public const int QueueSize = 256;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public const string Done = "tetragon_policy_user_actions_total";
    public const string Failed = "tetragon_policy_user_action_errors_total";
    public const string Dropped = "tetragon_policy_user_actions_dropped_total";

    private readonly Channel<ActionPlan> queue = Channel.CreateBounded<ActionPlan>(new BoundedChannelOptions(QueueSize)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails, and the drop is counted
    });

    private readonly AgentCounters counters;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task worker;
    private HttpClient? http;
    private DateTime lastWarning;

    public UserSpaceActions(AgentCounters counters, ILogger logger)
    {
        this.counters = counters;
        this.logger = logger;
        worker = Task.Run(RunAsync);
    }

    /// <summary>The selector's GetUrl and DnsLookup actions, queued (from the event thread).</summary>
    public void Run(IReadOnlyList<ActionPlan> actions)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i].Kind is ActionKind.GetUrl or ActionKind.DnsLookup && !queue.Writer.TryWrite(actions[i]))
            {
                counters.Add(Dropped);
            }
        }
    }

    /// <summary>Whether any selector of the hook has an action for this class (the event thread's quick test).</summary>
    public static bool Wanted(HookPlan hook) =>
        hook.Selectors.Any(s => s.Actions.Any(a => a.Kind is ActionKind.GetUrl or ActionKind.DnsLookup));

    private async Task RunAsync()
    {
        try
        {
            await foreach (var action in queue.Reader.ReadAllAsync(stopping.Token))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                timeout.CancelAfter(RequestTimeout);
                try
                {
                    if (action.Kind == ActionKind.GetUrl && action.Url is { } url)
                    {
                        http ??= new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    }
                    else if (action.Kind == ActionKind.DnsLookup && action.Fqdn is { } fqdn)
                    {
                        await Dns.GetHostAddressesAsync(fqdn, timeout.Token);
                    }

                    counters.Add(Done);
                }
                catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or OperationCanceledException && !stopping.IsCancellationRequested)
                {
                    counters.Add(Failed);
                    if (DateTime.UtcNow - lastWarning >= TimeSpan.FromSeconds(1))
                    {
                        lastWarning = DateTime.UtcNow; // a dead endpoint under a storm: one line a second
                        logger.LogWarning("policy action {Action} failed: {Error}", action.Kind, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public void Dispose()
    {
        queue.Writer.TryComplete();
        stopping.Cancel();
        try
        {
            worker.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        stopping.Dispose();
        http?.Dispose();
    }
}
