using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Prometheus;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Tetragon.Docker.Agent;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Export;
using Tetragon.Docker.Agent.Logging;
using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Options;
using Tetragon.Docker.Agent.Server;
using Tetragon.Docker.Bpf;
using Tetragon.Docker.Events;

// Shutdown is ours to finish (detach, drain, flush): no 2 s kill after SIGTERM.
return await new AgentCommandLine().Build(RunAsync).Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(AgentOptions options, CancellationToken cancellationToken)
{
    // Everything a user can get wrong is checked before any BPF is loaded.
    var errors = options.Validate().ToList();
    AgentOptions.TryParseFileMode(options.ExportFilePerm, out var exportMode);
    GoDuration.TryParse(options.ExportFileRotationInterval, out var rotateEvery);
    var exportWriter = new RotatingFileWriter(options.ExportFilename, (long)options.ExportFileMaxSizeMb * 1024 * 1024, options.ExportFileMaxBackups, exportMode, rotateEvery, compress: options.ExportFileCompress);
    if (errors.Count == 0)
    {
        try
        {
            exportWriter.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"--export-filename: cannot write {options.ExportFilename}: {e.Message}");
        }
    }

    if (errors.Count > 0)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"tetragon: {error}");
        }

        return 2;
    }

    var levelSwitch = new LoggingLevelSwitch(ParseLevel(options.LogLevel)); // SetDebug changes it
    var logging = new LoggerConfiguration()
        .MinimumLevel.ControlledBy(levelSwitch)
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .MinimumLevel.Override("Grpc", LogEventLevel.Warning);
    Log.Logger = (options.LogFormat == "json"
        ? logging.WriteTo.Console(new JsonLogFormatter(), standardErrorFromLevel: LogEventLevel.Verbose)
        : logging.WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "time={Timestamp:o} level={Level:u4} msg=\"{Message:lj}\"{NewLine}{Exception}"))
        .CreateLogger();
    LibBpfLog.Install((level, line) =>
    {
        if (level == 0)
        {
            Log.Warning("libbpf: {Line}", line);
        }
    });

    try
    {
        // An empty host: the flags are the agent's only configuration. No appsettings files (the
        // reload watch put a recursive inotify watch on the working directory, "/" in a container),
        // no environment or JSON configuration, no console logger beside Serilog: less to load and
        // keep mapped in an agent that idles for days.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Host.UseSerilog();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(exportWriter);
        builder.Services.AddSingleton(new LogLevelControl(levelSwitch));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AgentCounters>();
        builder.Services.AddSingleton<EventBus>();
        builder.Services.AddHostedService<JsonExportService>();
        builder.Services.AddContainerResolver(options);
        builder.Services.AddSingleton<AgentRuntime>();
        builder.Services.AddSingleton<PrometheusMetrics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentRuntime>());
        builder.Services.AddGrpc();
        // Resolved from DI, the service is not built per call by gRPC's activator, whose
        // compiled-expression factory pulls System.Linq.Expressions and its JIT work into the agent.
        builder.Services.AddSingleton<FineGuidanceSensorsService>();
        builder.Services.AddSingleton<HealthService>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureListeners(kestrel, options));

        var app = builder.Build();
        if (AgentOptions.TryParseHostPort(options.HealthServerAddress, out _, out var healthPort))
        {
            // The health port serves grpc.health.v1 only: often open to every interface, it must
            // not also take AddTracingPolicy or GetEvents.
            app.Use((context, next) =>
            {
                if (context.Connection.LocalPort == healthPort && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
            app.MapGrpcService<HealthService>().RequireHost($"*:{healthPort}");
        }

        app.MapGrpcService<FineGuidanceSensorsService>();
        if (AgentOptions.TryParseHostPort(options.MetricsServer, out _, out var metricsPort))
        {
            app.MapMetrics("/metrics", app.Services.GetRequiredService<PrometheusMetrics>().Registry).RequireHost($"*:{metricsPort}");
        }

        // Start-up (the /proc scan, BPF loading, DI, Kestrel) leaves garbage that an idle agent
        // would keep mapped for good: collect and decommit it once, a second in.
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)
            .ContinueWith(_ => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true), TaskScheduler.Default));
        await app.RunAsync(cancellationToken);
        return 0;
    }
    catch (Exception e) when (e is BpfException or InvalidOperationException or IOException)
    {
        Log.Fatal("tetragon: {Message}", e.Message);
        return 1;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
}

static void ConfigureListeners(KestrelServerOptions kestrel, AgentOptions options)
{
    if (AgentOptions.TryParseHostPort(options.MetricsServer, out var metricsHost, out var metricsPort))
    {
        Listen(kestrel, metricsHost, metricsPort, HttpProtocols.Http1);
    }

    if (AgentOptions.TryParseHostPort(options.HealthServerAddress, out var healthHost, out var healthPort))
    {
        Listen(kestrel, healthHost, healthPort, HttpProtocols.Http2);
    }

    if (!string.IsNullOrEmpty(options.ServerSocket))
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.ServerSocket)!);
        File.Delete(options.ServerSocket); // a stale socket from a killed agent
        kestrel.ListenUnixSocket(options.ServerSocket, o => o.Protocols = HttpProtocols.Http2);
    }

    if (AgentOptions.TryParseHostPort(options.ServerAddress, out var host, out var port))
    {
        if (host is "" or "localhost")
        {
            kestrel.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host), port, o => o.Protocols = HttpProtocols.Http2);
        }
    }
}

// ":2112" listens everywhere, as Tetragon's --metrics-server and --health-server-address do.
static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols)
{
    if (host == "")
    {
        kestrel.ListenAnyIP(port, o => o.Protocols = protocols);
    }
    else if (host == "localhost")
    {
        kestrel.ListenLocalhost(port, o => o.Protocols = protocols);
    }
    else
    {
        kestrel.Listen(IPAddress.Parse(host), port, o => o.Protocols = protocols);
    }
}

static LogEventLevel ParseLevel(string level) => level.ToLowerInvariant() switch
{
    "debug" => LogEventLevel.Debug,
    "warn" or "warning" => LogEventLevel.Warning,
    "error" => LogEventLevel.Error,
    _ => LogEventLevel.Information,
};
