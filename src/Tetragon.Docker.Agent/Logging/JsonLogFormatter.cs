using System.Text.Encodings.Web;
using System.Text.Json;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace Tetragon.Docker.Agent.Logging;

/// <summary>
/// <c>--log-format json</c>: one JSON object per log line with the keys of the text format
/// (<c>time</c>, <c>level</c>, <c>msg</c>), each structured property beside them, and
/// <c>error</c> for an exception, so a log pipeline reads the agent as it reads Tetragon.
/// </summary>
internal sealed class JsonLogFormatter : ITextFormatter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("time", logEvent.Timestamp.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", Level(logEvent.Level));
            json.WriteString("msg", Message(logEvent));
            foreach (var (name, value) in logEvent.Properties)
            {
                if (name is "time" or "level" or "msg" or "error")
                {
                    continue;
                }

                if (value is ScalarValue { Value: int or long or uint or ulong or double or decimal } number)
                {
                    json.WriteNumber(name, Convert.ToDecimal(number.Value, System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    json.WriteString(name, Plain(value));
                }
            }

            if (logEvent.Exception is { } e)
            {
                json.WriteString("error", e.ToString());
            }

            json.WriteEndObject();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
    }

    /// <summary>The message with its values as they are (the text format's {Message:lj}): no quotes around strings.</summary>
    private static string Message(LogEvent logEvent)
    {
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken p && logEvent.Properties.TryGetValue(p.PropertyName, out var value))
            {
                text.Write(Plain(value));
            }
            else
            {
                token.Render(logEvent.Properties, text, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return text.ToString();
    }

    /// <summary>A string as it is; any other value as Serilog renders it.</summary>
    private static string Plain(LogEventPropertyValue value)
    {
        if (value is ScalarValue { Value: string s })
        {
            return s;
        }

        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        value.Render(text, null, System.Globalization.CultureInfo.InvariantCulture);
        return text.ToString();
    }

    private static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warn",
        LogEventLevel.Error => "error",
        _ => "fatal",
    };
}
