using Serilog.Core;
using Serilog.Events;
using Tetragon.Docker.Agent.Logging;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Tests;

public sealed class LogLevelControlTests
{
    [Fact]
    public void SettingALevelMovesTheSwitchAndReturnsTheOldOne()
    {
        var levelSwitch = new LoggingLevelSwitch(LogEventLevel.Information);
        var control = new LogLevelControl(levelSwitch);
        Assert.Equal(LogLevel.Info, control.Level);
        Assert.Equal(LogLevel.Info, control.Set(LogLevel.Trace));
        Assert.Equal(LogEventLevel.Verbose, levelSwitch.MinimumLevel);
        Assert.Equal(LogLevel.Trace, control.Level);
    }

    [Theory]
    [InlineData(LogLevel.Panic, LogEventLevel.Fatal, LogLevel.Fatal)]
    [InlineData(LogLevel.Error, LogEventLevel.Error, LogLevel.Error)]
    [InlineData(LogLevel.Warn, LogEventLevel.Warning, LogLevel.Warn)]
    [InlineData(LogLevel.Debug, LogEventLevel.Debug, LogLevel.Debug)]
    public void TetragonLevelsMapOntoSerilogs(LogLevel tetragon, LogEventLevel serilog, LogLevel back)
    {
        Assert.Equal(serilog, LogLevelControl.ToSerilog(tetragon));
        Assert.Equal(back, LogLevelControl.ToTetragon(serilog));
    }

    [Fact]
    public void AnUnknownLevelIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LogLevelControl.ToSerilog((LogLevel)42));
}
