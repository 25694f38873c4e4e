using System.CommandLine;

namespace Tetragon.Docker.Agent.Options;

/// <summary>
/// The agent's flags, named as Tetragon names them. A flag not on the command line is read
/// from TETRAGON_&lt;FLAG&gt; (dashes as underscores) in the environment, else from a file named
/// after it (<c>export-rate-limit</c>) in a configuration directory, as Tetragon's drop-in
/// directories work: /usr/lib, /usr/local/lib, then /etc/tetragon/tetragon.conf.d, then
/// <c>--config-dir</c>, a later one winning.
/// </summary>
internal sealed class AgentCommandLine
{
    private readonly Option<string> exportFilename = Flag("--export-filename", "JSON export file", Defaults.ExportFilename);
    private readonly Option<int> exportMaxSize = Flag("--export-file-max-size-mb", "rotate the export file at this size (MB)", Defaults.ExportFileMaxSizeMb);
    private readonly Option<int> exportMaxBackups = Flag("--export-file-max-backups", "rotated export files to keep", Defaults.ExportFileMaxBackups);
    private readonly Option<string> exportRotationInterval = Flag("--export-file-rotation-interval", "also rotate the export at the first write past this age (a Go duration, e.g. 1h; 0 off)", Defaults.ExportFileRotationInterval);
    private readonly Option<bool> exportCompress = Flag("--export-file-compress", "gzip rotated export files from the second backup on (tetragon.log.2.gz ...); the export-stdout follower reads them", Defaults.ExportFileCompress);
    private readonly Option<string> exportPerm = Flag("--export-file-perm", "export file permissions (octal)", Defaults.ExportFilePerm);
    private readonly Option<string> exportAllowlist = Flag("--export-allowlist", "JSON export allowlist: Filter objects in proto JSON, e.g. {\"event_set\":[\"PROCESS_EXEC\"]}", Defaults.ExportAllowlist);
    private readonly Option<string> exportDenylist = Flag("--export-denylist", "JSON export denylist: Filter objects in proto JSON, e.g. {\"binary_regex\":[\"^/usr/bin/true$\"]}", Defaults.ExportDenylist);
    private readonly Option<int> exportRateLimit = Flag("--export-rate-limit", "events a minute into the JSON export (-1: no limit)", Defaults.ExportRateLimit);
    private readonly Option<string> redactionFilters = Flag("--redaction-filters", "redaction filters: {\"redact\":[regex],\"binary_regex\":[regex]} objects; what the capture groups match in process arguments becomes *****", Defaults.RedactionFilters);
    private readonly Option<string> fieldFilters = Flag("--field-filters", "field filters for the JSON export: {\"fields\":\"process.binary,process.arguments\",\"action\":\"INCLUDE\"} objects", Defaults.FieldFilters);
    private readonly Option<string> enableAncestors = Flag("--enable-ancestors", "event kinds that list the process's ancestors: base (exec, exit), kprobe, tracepoint, uprobe (comma-separated)", Defaults.EnableAncestors);
    private readonly Option<string> cgroupRate = Flag("--cgroup-rate", "throttle a cgroup's exec and exit events past <events>,<interval> (e.g. 1000,1s); empty: off", Defaults.CgroupRate);
    private readonly Option<string> serverAddress = Flag("--server-address", "gRPC TCP address (host:port; empty disables)", Defaults.ServerAddress);
    private readonly Option<string> healthServerAddress = Flag("--health-server-address", "gRPC health server address (grpc.health.v1, service \"liveness\"); empty disables", Defaults.HealthServerAddress);
    private readonly Option<int> healthServerInterval = Flag("--health-server-interval", "seconds between the health server's checks of a Watch stream", Defaults.HealthServerInterval);
    private readonly Option<string> serverSocket = Flag("--server-socket", "gRPC unix socket path (empty disables)", Defaults.ServerSocket);
    private readonly Option<uint> rbSize = SizeFlag("--rb-size", "BPF ring buffer size in bytes, a power of two (K/M/G suffixes allowed, e.g. 8M)", Defaults.RbSize);
    private readonly Option<uint> rbSizeTotal = SizeFlag("--rb-size-total", "the same, as Tetragon's total over all CPUs: one ring serves them all here (wins over --rb-size)", 0);
    private readonly Option<int> rbQueueSize = Flag("--rb-queue-size", "accepted for Tetragon compatibility: events are decoded straight from the ring buffer", Defaults.RbQueueSize);
    private readonly Option<int> eventQueueSize = Flag("--event-queue-size", "queue of each gRPC GetEvents stream", Defaults.EventQueueSize);
    private readonly Option<int> processCacheSize = Flag("--process-cache-size", "processes the cache holds; past it the least recently used are evicted (their later events lack process details)", Defaults.ProcessCacheSize);
    private readonly Option<int> exportQueueSize = Flag("--export-queue-size", "queue of the JSON exporter", Defaults.ExportQueueSize);
    private readonly Option<bool> enableProcessCred = Flag("--enable-process-cred", "add cap and process_credentials to process events", Defaults.EnableProcessCred);
    private readonly Option<bool> enableProcessEnvironmentVariables = Flag("--enable-process-environment-variables", "add environment_variables (captured at exec, up to 4 KiB) to process events", Defaults.EnableProcessEnvironmentVariables);
    private readonly Option<string> filterEnvironmentVariables = Flag("--filter-environment-variables", "with --enable-process-environment-variables: only these variables (comma-separated names)", Defaults.FilterEnvironmentVariables);
    private readonly Option<bool> enableProcessNs = Flag("--enable-process-ns", "add ns (the process's namespaces) to process events", Defaults.EnableProcessNs);
    private readonly Option<string> usernameMetadata = Flag("--username-metadata", "unix: add user.name (from the host's /etc/passwd) to events of host processes; disabled: leave it out", Defaults.UsernameMetadata);
    private readonly Option<string> bpfLib = Flag("--bpf-lib", "directory of the BPF objects", Defaults.BpfLib);
    private readonly Option<string> procRoot = Flag("--procfs", "procfs mount of the host", Defaults.ProcRoot);
    private readonly Option<string> nodeName = Flag("--node-name", "node_name of events (default: $NODE_NAME or host name)", Defaults.NodeName);
    private readonly Option<string> dockerHost = Flag("--docker-host", "Docker Engine API endpoint", Defaults.DockerHost);
    private readonly Option<bool> enableDocker = Flag("--enable-docker", "enrich events with Docker container metadata", Defaults.EnableDocker);
    private readonly Option<string> metricsServer = Flag("--metrics-server", "Prometheus metrics address, e.g. :2112 (empty disables)", Defaults.MetricsServer);
    private readonly Option<string> logLevel = Flag("--log-level", "debug, info, warn or error", Defaults.LogLevel);
    private readonly Option<string> logFormat = Flag("--log-format", "text or json", Defaults.LogFormat);
    private readonly Option<string> tracingPolicy = Flag("--tracing-policy", "TracingPolicy file to load at start-up", Defaults.TracingPolicy);
    private readonly Option<bool> persistGrpcPolicies = Flag("--persist-grpc-policies", "record policies added over gRPC and load them again at start", Defaults.PersistGrpcPolicies);
    private readonly Option<string> persistGrpcPoliciesDir = Flag("--persist-grpc-policies-dir", "where --persist-grpc-policies records them", Defaults.PersistGrpcPoliciesDir);
    private readonly Option<string> tracingPolicyDir = Flag("--tracing-policy-dir", "directory of TracingPolicy files to load at start-up", Defaults.TracingPolicyDir);

    private static readonly AgentOptions Defaults = new();

    /// <summary>Tetragon's drop-in configuration directories, lowest precedence first.</summary>
    public static IReadOnlyList<string> DropInDirectories { get; } =
        ["/usr/lib/tetragon/tetragon.conf.d", "/usr/local/lib/tetragon/tetragon.conf.d", "/etc/tetragon/tetragon.conf.d"];

    private const string ConfigDirFlag = "--config-dir";

    private readonly Option<string> configDir = new(ConfigDirFlag)
    {
        Description = "directory with a file per flag (its name, e.g. export-rate-limit, holding the value); read after the drop-in directories",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TETRAGON_CONFIG_DIR") ?? "",
    };

    public RootCommand Build(Func<AgentOptions, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("tetragon: eBPF security observability and runtime enforcement for Docker hosts")
        {
            exportFilename, exportMaxSize, exportMaxBackups, exportRotationInterval, exportCompress, exportPerm, exportAllowlist, exportDenylist, exportRateLimit, redactionFilters, fieldFilters, enableAncestors, cgroupRate, serverAddress, serverSocket, healthServerAddress, healthServerInterval, rbSize, rbSizeTotal, rbQueueSize,
            eventQueueSize, exportQueueSize, processCacheSize, enableProcessCred, enableProcessNs, enableProcessEnvironmentVariables, filterEnvironmentVariables, usernameMetadata, bpfLib, procRoot, nodeName, dockerHost, enableDocker, metricsServer, logLevel, logFormat,
            tracingPolicy, tracingPolicyDir, persistGrpcPolicies, persistGrpcPoliciesDir, configDir,
        };
        configDir.Validators.Add(r =>
        {
            var dir = r.GetValueOrDefault<string>();
            if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
            {
                r.AddError($"--config-dir: directory {dir} does not exist");
            }
        });
        root.SetAction((result, ct) => run(Bind(result), ct));
        return root;
    }

    private AgentOptions Bind(ParseResult r) => new()
    {
        ExportFilename = r.GetValue(exportFilename)!,
        ExportFileMaxSizeMb = r.GetValue(exportMaxSize),
        ExportFileMaxBackups = r.GetValue(exportMaxBackups),
        ExportFilePerm = r.GetValue(exportPerm)!,
        ExportFileCompress = r.GetValue(exportCompress),
        ExportFileRotationInterval = r.GetValue(exportRotationInterval)!,
        ExportAllowlist = r.GetValue(exportAllowlist) ?? "",
        ExportDenylist = r.GetValue(exportDenylist) ?? "",
        ExportRateLimit = r.GetValue(exportRateLimit),
        RedactionFilters = r.GetValue(redactionFilters) ?? "",
        FieldFilters = r.GetValue(fieldFilters) ?? "",
        EnableAncestors = r.GetValue(enableAncestors) ?? "",
        CgroupRate = r.GetValue(cgroupRate) ?? "",
        ServerAddress = r.GetValue(serverAddress) ?? "",
        ServerSocket = r.GetValue(serverSocket) ?? "",
        HealthServerAddress = r.GetValue(healthServerAddress) ?? "",
        HealthServerInterval = r.GetValue(healthServerInterval),
        RbSize = r.GetValue(rbSizeTotal) is > 0 and var total ? total : r.GetValue(rbSize),
        RbQueueSize = r.GetValue(rbQueueSize),
        EventQueueSize = r.GetValue(eventQueueSize),
        ExportQueueSize = r.GetValue(exportQueueSize),
        ProcessCacheSize = r.GetValue(processCacheSize),
        EnableProcessCred = r.GetValue(enableProcessCred),
        EnableProcessNs = r.GetValue(enableProcessNs),
        EnableProcessEnvironmentVariables = r.GetValue(enableProcessEnvironmentVariables),
        FilterEnvironmentVariables = r.GetValue(filterEnvironmentVariables) ?? "",
        UsernameMetadata = r.GetValue(usernameMetadata) ?? "",
        BpfLib = r.GetValue(bpfLib)!,
        ProcRoot = r.GetValue(procRoot)!,
        NodeName = r.GetValue(nodeName)!,
        DockerHost = r.GetValue(dockerHost)!,
        EnableDocker = r.GetValue(enableDocker),
        MetricsServer = r.GetValue(metricsServer) ?? "",
        LogLevel = r.GetValue(logLevel)!,
        LogFormat = r.GetValue(logFormat)!,
        TracingPolicy = r.GetValue(tracingPolicy) ?? "",
        TracingPolicyDir = r.GetValue(tracingPolicyDir) ?? "",
        PersistGrpcPolicies = r.GetValue(persistGrpcPolicies),
        PersistGrpcPoliciesDir = r.GetValue(persistGrpcPoliciesDir) ?? "",
    };

    private static Option<T> Flag<T>(string name, string description, T fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = result => FromEnvironment(name, fallback, result),
    };

    /// <summary>A byte count, as Tetragon takes them: 8388608, 8M, 4096K, 1G.</summary>
    private static Option<uint> SizeFlag(string name, string description, uint fallback) => new(name)
    {
        Description = description,
        CustomParser = result => ParseSize(name, result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", name, result),
        DefaultValueFactory = result => FromEnvironment(name, fallback, result, text => ParseSize(name, text, null, result)),
    };

    private static uint ParseSize(string name, string text, string? source, System.CommandLine.Parsing.ArgumentResult result)
    {
        var multiplier = char.ToUpperInvariant(text.Length > 0 ? text[^1] : ' ') switch
        {
            'K' => 1UL << 10,
            'M' => 1UL << 20,
            'G' => 1UL << 30,
            _ => 1UL,
        };
        var digits = multiplier == 1 ? text : text[..^1];
        if (ulong.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n * multiplier <= uint.MaxValue)
        {
            return (uint)(n * multiplier);
        }

        if (source is not null)
        {
            result.AddError($"{source}: \"{text}\" is not a size in bytes (e.g. 8388608 or 8M)");
        }
        else
        {
            throw new FormatException($"\"{text}\" is not a size in bytes for {name} (e.g. 8388608 or 8M)");
        }

        return 0;
    }

    private static T FromEnvironment<T>(string name, T fallback, System.CommandLine.Parsing.ArgumentResult result, Func<string, T>? convert = null)
    {
        var variable = "TETRAGON_" + name.TrimStart('-').Replace('-', '_').ToUpperInvariant();
        var text = Environment.GetEnvironmentVariable(variable);
        if (text is null && FromConfigDirectories(name, result) is { } file)
        {
            (variable, text) = file;
        }

        if (text is null)
        {
            return fallback;
        }

        try
        {
            return convert is not null ? convert(text) : (T)Convert.ChangeType(text, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            result.AddError($"{variable}: \"{text}\" is not a valid value for {name}");
            return fallback;
        }
    }

    /// <summary>The flag's file in the last configuration directory that has one: its path and its trimmed text.</summary>
    private static (string Path, string Text)? FromConfigDirectories(string name, System.CommandLine.Parsing.ArgumentResult result)
    {
        var dirs = DropInDirectories.ToList();
        var given = (result.GetResult(ConfigDirFlag) as System.CommandLine.Parsing.OptionResult)?.GetValueOrDefault<string>()
            ?? Environment.GetEnvironmentVariable("TETRAGON_CONFIG_DIR");
        if (!string.IsNullOrEmpty(given))
        {
            dirs.Add(given);
        }

        for (var i = dirs.Count - 1; i >= 0; i--)
        {
            var path = Path.Combine(dirs[i], name.TrimStart('-'));
            if (File.Exists(path))
            {
                try
                {
                    return (path, File.ReadAllText(path).Trim());
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    result.AddError($"{path}: cannot read the value of {name}: {e.Message}");
                    return null;
                }
            }
        }

        return null;
    }
}
