using Serilog.Core;
using Serilog.Events;

namespace Tetragon.Docker.Agent.Logging;

/// <summary>The agent's log level, read and changed at run time (gRPC GetDebug/SetDebug, `tetra loglevel`).</summary>
internal sealed class LogLevelControl(LoggingLevelSwitch levelSwitch)
{
    public Api.LogLevel Level => ToTetragon(levelSwitch.MinimumLevel);

    /// <summary>Sets the level; returns the one it replaced.</summary>
    public Api.LogLevel Set(Api.LogLevel level)
    {
        var previous = Level;
        levelSwitch.MinimumLevel = ToSerilog(level);
        return previous;
    }

    /// <summary>Tetragon's levels on Serilog's: panic and fatal are both Fatal, trace is Verbose.</summary>
    internal static LogEventLevel ToSerilog(Api.LogLevel level) => level switch
    {
        Api.LogLevel.Panic or Api.LogLevel.Fatal => LogEventLevel.Fatal,
        Api.LogLevel.Error => LogEventLevel.Error,
        Api.LogLevel.Warn => LogEventLevel.Warning,
        Api.LogLevel.Info => LogEventLevel.Information,
        Api.LogLevel.Debug => LogEventLevel.Debug,
        Api.LogLevel.Trace => LogEventLevel.Verbose,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown log level"),
    };

    internal static Api.LogLevel ToTetragon(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => Api.LogLevel.Fatal,
        LogEventLevel.Error => Api.LogLevel.Error,
        LogEventLevel.Warning => Api.LogLevel.Warn,
        LogEventLevel.Information => Api.LogLevel.Info,
        LogEventLevel.Debug => Api.LogLevel.Debug,
        _ => Api.LogLevel.Trace,
    };
}
