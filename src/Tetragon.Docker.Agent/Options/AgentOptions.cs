using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Options;

/// <summary>The agent's configuration; flag names follow Tetragon's.</summary>
public sealed record AgentOptions
{
    public string ExportFilename { get; init; } = "/var/run/tetragon/tetragon.log";
    public int ExportFileMaxSizeMb { get; init; } = 10;
    public int ExportFileMaxBackups { get; init; } = 5;
    public string ExportFilePerm { get; init; } = "600";

    /// <summary>Rotated export files from tetragon.log.2 on are gzip (.gz); .1 stays plain for followers.</summary>
    public bool ExportFileCompress { get; init; }

    /// <summary>A Go duration ("1h"): the export also rotates at the first write past this age; 0 off.</summary>
    public string ExportFileRotationInterval { get; init; } = "0s";

    /// <summary>Filter objects in proto JSON (Tetragon's form): an event goes to the export when it matches one; blank: all.</summary>
    public string ExportAllowlist { get; init; } = "";

    /// <summary>Filter objects in proto JSON: an event that matches one stays out of the export.</summary>
    public string ExportDenylist { get; init; } = "";

    /// <summary>Events a minute into the export (a bucket of that many, refilled over the minute); negative: no limit.</summary>
    public int ExportRateLimit { get; init; } = -1;

    /// <summary>Tetragon's field filters for the export: <c>{"fields":"process.binary,...","action":"INCLUDE"|"EXCLUDE","event_set":[...]}</c> objects.</summary>
    public string FieldFilters { get; init; } = "";

    /// <summary>Event kinds that list ancestors: base (exec, exit), kprobe, tracepoint, uprobe; comma-separated.</summary>
    public string EnableAncestors { get; init; } = "";

    /// <summary>Tetragon's redaction filters: <c>{"redact": [regex], "binary_regex": [regex]}</c> objects; capture groups in process arguments become *****.</summary>
    public string RedactionFilters { get; init; } = "";

    /// <summary>Tetragon's <c>events,interval</c> ("1000,1s"): a cgroup over it has its exec and exit events throttled; empty: off.</summary>
    public string CgroupRate { get; init; } = "";

    public string ServerAddress { get; init; } = "localhost:54321";
    public string ServerSocket { get; init; } = "/var/run/tetragon/tetragon.sock";

    /// <summary>Tetragon's gRPC health server, ":6789" as Tetragon's default; empty disables.</summary>
    public string HealthServerAddress { get; init; } = ":6789";

    /// <summary>Seconds between the health server's checks (Watch streams).</summary>
    public int HealthServerInterval { get; init; } = 10;

    /// <summary>
    /// Ring buffer size in bytes (a power of two, at least one page). Its pages count in the
    /// agent's RSS twice (user space maps them twice for wrap-around reads), but 4 MiB lost
    /// events to a storm in the agent's first second, while the JIT tiers the hot path up.
    /// </summary>
    public uint RbSize { get; init; } = 8 * 1024 * 1024;
    public int RbQueueSize { get; init; } = 65536;
    public int EventQueueSize { get; init; } = 10000;

    /// <summary>Pids the process cache holds before it evicts the least recently used (Tetragon's default).</summary>
    public int ProcessCacheSize { get; init; } = Process.ProcessCache.DefaultCapacity;
    public int ExportQueueSize { get; init; } = 65536;
    public bool EnableProcessCred { get; init; }
    public bool EnableProcessNs { get; init; }

    /// <summary>Tetragon's --username-metadata: "disabled" or "unix" (user.name of host processes from /etc/passwd).</summary>
    public string UsernameMetadata { get; init; } = "disabled";

    /// <summary>Exec events carry the process's environment (the first 4 KiB of it) as environment_variables.</summary>
    public bool EnableProcessEnvironmentVariables { get; init; }

    /// <summary>Comma-separated names: with <see cref="EnableProcessEnvironmentVariables"/>, only these; empty: all.</summary>
    public string FilterEnvironmentVariables { get; init; } = "";
    public string BpfLib { get; init; } = Path.Combine(AppContext.BaseDirectory, "bpf");
    public string ProcRoot { get; init; } = "/proc";
    public string NodeName { get; init; } = Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;
    public string DockerHost { get; init; } = "unix:///var/run/docker.sock";
    public bool EnableDocker { get; init; } = true;
    public string LogLevel { get; init; } = "info";

    /// <summary>text (key=value lines) or json (an object per line).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>A TracingPolicy file loaded at start-up.</summary>
    public string TracingPolicy { get; init; } = "";

    /// <summary>Every *.yaml / *.yml here is loaded at start-up; a missing directory means none.</summary>
    public string TracingPolicyDir { get; init; } = "/etc/tetragon/tetragon.tp.d";

    /// <summary>Policies added over gRPC are recorded in <see cref="PersistGrpcPoliciesDir"/> and loaded again at start.</summary>
    public bool PersistGrpcPolicies { get; init; }

    public string PersistGrpcPoliciesDir { get; init; } = "/var/run/tetragon/grpc-policies";

    /// <summary>Prometheus endpoint, e.g. ":2112" or "localhost:2112"; empty disables.</summary>
    public string MetricsServer { get; init; } = "";

    /// <summary>Problems a user must fix before anything is loaded; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RbSize < 4096 || (RbSize & (RbSize - 1)) != 0)
        {
            errors.Add($"--rb-size: {RbSize} is not a power of two of at least 4096 bytes");
        }

        if (ExportFileMaxSizeMb < 0)
        {
            errors.Add($"--export-file-max-size-mb: {ExportFileMaxSizeMb} is negative");
        }

        if (ExportFileMaxBackups < 0)
        {
            errors.Add($"--export-file-max-backups: {ExportFileMaxBackups} is negative");
        }

        if (RbQueueSize < 1 || EventQueueSize < 1 || ExportQueueSize < 1)
        {
            errors.Add("--rb-queue-size, --event-queue-size and --export-queue-size must be positive");
        }

        if (ProcessCacheSize < 1)
        {
            errors.Add($"--process-cache-size: {ProcessCacheSize} must be positive");
        }

        if (!GoDuration.TryParse(ExportFileRotationInterval, out var rotateEvery) || rotateEvery < TimeSpan.Zero)
        {
            errors.Add($"--export-file-rotation-interval: \"{ExportFileRotationInterval}\" is not a duration like 1h or 30m");
        }

        if (!TryParseFileMode(ExportFilePerm, out _))
        {
            errors.Add($"--export-file-perm: \"{ExportFilePerm}\" is not an octal file mode like 600");
        }

        // The filter texts compile here, each naming its own mistakes.
        foreach (var compile in new Action[] { () => ExportFilter(), () => ExportFields(), () => Redaction(), () => Ancestors(), () => CgroupRateLimit() })
        {
            try
            {
                compile();
            }
            catch (ArgumentException e)
            {
                errors.Add(e.Message);
            }
        }

        if (!string.IsNullOrEmpty(ServerAddress) && !TryParseHostPort(ServerAddress, out _, out _))
        {
            errors.Add($"--server-address: \"{ServerAddress}\" is not host:port");
        }

        if (!string.IsNullOrEmpty(HealthServerAddress) && !TryParseHostPort(HealthServerAddress, out _, out _))
        {
            errors.Add($"--health-server-address: \"{HealthServerAddress}\" is not [host]:port");
        }

        if (HealthServerInterval < 1)
        {
            errors.Add($"--health-server-interval: {HealthServerInterval} is not a positive number of seconds");
        }

        if (new[] { ServerAddress, MetricsServer, HealthServerAddress }.Select(a => TryParseHostPort(a, out _, out var p) ? p : 0).Where(p => p > 0).GroupBy(p => p).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            errors.Add($"--server-address, --metrics-server and --health-server-address share port {shared.Key}: each needs its own");
        }

        if (!string.IsNullOrEmpty(MetricsServer) && !TryParseHostPort(MetricsServer, out _, out _))
        {
            errors.Add($"--metrics-server: \"{MetricsServer}\" is not [host]:port");
        }

        if (!string.IsNullOrEmpty(TracingPolicy) && !File.Exists(TracingPolicy))
        {
            errors.Add($"--tracing-policy: file {TracingPolicy} does not exist");
        }

        if (PersistGrpcPolicies && CannotWrite(PersistGrpcPoliciesDir) is { } reason)
        {
            errors.Add($"--persist-grpc-policies-dir: cannot write {PersistGrpcPoliciesDir}: {reason}");
        }

        if (LogLevel.ToLowerInvariant() is not ("debug" or "info" or "warn" or "warning" or "error"))
        {
            errors.Add($"--log-level: \"{LogLevel}\" is not one of debug, info, warn, error");
        }

        if (UsernameMetadata is not ("disabled" or "unix"))
        {
            errors.Add($"--username-metadata: \"{UsernameMetadata}\" is not disabled or unix");
        }

        if (LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format: \"{LogFormat}\" is not text or json");
        }

        if (!Directory.Exists(BpfLib))
        {
            errors.Add($"--bpf-lib: directory {BpfLib} does not exist");
        }

        return errors;
    }

    /// <summary>The export's allow and deny lists, compiled.</summary>
    /// <exception cref="ArgumentException">The message names the flag, the filter and what is wrong with it.</exception>
    public EventFilter ExportFilter() => EventFilter.Compile(
        FilterList.Parse(ExportAllowlist, "--export-allowlist"),
        FilterList.Parse(ExportDenylist, "--export-denylist"),
        "--export-allowlist",
        "--export-denylist");

    /// <summary>Why files cannot be created in <paramref name="directory"/> (made if missing); null when they can.</summary>
    private static string? CannotWrite(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return e.Message;
        }
    }

    /// <summary>The export's field filters, compiled.</summary>
    /// <exception cref="ArgumentException">The message names the filter and the path that is wrong.</exception>
    public FieldFilters ExportFields() => Events.FieldFilters.Parse(FieldFilters, "--field-filters");

    /// <exception cref="ArgumentException">An unknown event kind, or one without base.</exception>
    internal Process.AncestorEvents Ancestors() => Process.AncestorEvents.Parse(EnableAncestors);

    /// <summary>The redaction filters, compiled.</summary>
    /// <exception cref="ArgumentException">The message names the filter, its field and what is wrong with it.</exception>
    public ArgumentRedaction Redaction() => ArgumentRedaction.Parse(RedactionFilters);

    /// <summary>--cgroup-rate parsed: events per interval; null when off.</summary>
    /// <exception cref="ArgumentException">The message names the flag and the expected form.</exception>
    public (ulong Events, TimeSpan Interval)? CgroupRateLimit()
    {
        if (string.IsNullOrWhiteSpace(CgroupRate))
        {
            return null;
        }

        var parts = CgroupRate.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !ulong.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var events)
            || events == 0
            || !GoDuration.TryParse(parts[1], out var interval)
            || interval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--cgroup-rate: \"{CgroupRate}\" is not <events>,<interval> with both above zero, like 1000,1s");
        }

        return (events, interval);
    }

    public static bool TryParseFileMode(string text, out UnixFileMode mode)
    {
        mode = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 4 || text.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return true;
    }

    public static bool TryParseHostPort(string address, out string host, out int port)
    {
        var colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon].Trim('[', ']') : "";
        port = 0;
        return colon >= 0 && int.TryParse(address.AsSpan(colon + 1), out port) && port is > 0 and < 65536;
    }
}
