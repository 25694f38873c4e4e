namespace Tetragon.Docker.Agent.Docker;

/// <summary>Counter names of the Docker enricher (kept in <see cref="Metrics.AgentCounters"/>).</summary>
internal static class DockerCounters
{
    public const string WorkDropped = "tetragon_docker_queue_dropped_total";
    public const string Fetches = "tetragon_docker_inspect_total";
    public const string Events = "tetragon_docker_events_total";
    public const string Reconnects = "tetragon_docker_reconnects_total";
}
