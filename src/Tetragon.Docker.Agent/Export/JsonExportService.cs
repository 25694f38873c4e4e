using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Options;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>Runs the JSON file exporter as a bus subscriber for the agent's lifetime.</summary>
internal sealed class JsonExportService(AgentOptions options, RotatingFileWriter writer, EventBus bus, AgentCounters counters, ILogger<JsonExportService> logger, TimeProvider time)
    : BackgroundService
{
    private readonly JsonExportQueue queue = bus.Attach(new JsonExportQueue(options.ExportQueueSize)
    {
        Filter = options.ExportFilter(), // validated before start-up
        Fields = options.ExportFields(),
        RateLimit = options.ExportRateLimit >= 0 ? new ExportRateLimiter(options.ExportRateLimit, time) : null,
        RateLimited = counters.Cell(AgentCounters.ExportRateLimited),
        NodeName = options.NodeName,
    });

    // Not tied to the stopping token: the runtime ends the queue after draining the kernel side.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(
            new JsonFileExporter(queue, writer, counters, logger, time).Run,
            CancellationToken.None,
            TaskCreationOptions.LongRunning, // a thread of its own: it blocks between batches
            TaskScheduler.Default);
}
