using Google.Protobuf;

namespace Tetragon.Docker.Events;

/// <summary>
/// Encodes events as Tetragon's JSON export does: one JSON object per line, proto field names,
/// default values omitted. The same schema serves gRPC, the JSON file and <c>tetra -o json</c>.
/// </summary>
public sealed class JsonEventEncoder
{
    private readonly JsonFormatter _formatter =
        new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary>Writes <paramref name="message"/> as one JSON line (terminated by '\n') to <paramref name="writer"/>.</summary>
    public void Write(IMessage message, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        _formatter.Format(message, writer);
        writer.Write('\n');
    }

    /// <summary>Returns <paramref name="message"/> as JSON, without a line terminator.</summary>
    public string Encode(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _formatter.Format(message);
    }
}
