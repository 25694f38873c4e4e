using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;
using Tetragon.Docker.Agent.Logging;

namespace Tetragon.Docker.Agent.Tests;

public sealed class JsonLogFormatterTests
{
    [Fact]
    public void ALogLineIsOneJsonObjectWithTheTextFormatsKeys()
    {
        var template = new MessageTemplateParser().Parse("tracing policy {Name} loaded: {Hooks} hook(s)");
        var logEvent = new LogEvent(
            new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.FromHours(2)),
            LogEventLevel.Warning,
            new InvalidOperationException("boom"),
            template,
            [new LogEventProperty("Name", new ScalarValue("a \"b\"\nc é")), new LogEventProperty("Hooks", new ScalarValue(3))]);
        var output = new StringWriter();
        new JsonLogFormatter().Format(logEvent, output);

        var text = output.ToString();
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2026-11-27T10:00:00.0000000Z", json.GetProperty("time").GetString());
        Assert.Equal("warn", json.GetProperty("level").GetString());
        Assert.Equal("tracing policy a \"b\"\nc é loaded: 3 hook(s)", json.GetProperty("msg").GetString());
        Assert.Equal("a \"b\"\nc é", json.GetProperty("Name").GetString());
        Assert.Equal(3, json.GetProperty("Hooks").GetInt32());
        Assert.Contains("boom", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
