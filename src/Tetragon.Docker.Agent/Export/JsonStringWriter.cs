using System.Buffers;
using System.Reflection;
using Google.Protobuf;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Writes a JSON string exactly as Google.Protobuf's JsonFormatter does. A string of plain
/// characters (the ASCII ones JsonFormatter itself leaves alone, asked once at start-up) is
/// written in one piece; any other goes through JsonFormatter's own escaper.
/// </summary>
internal sealed class JsonStringWriter
{
    private readonly Action<TextWriter, string> escape;
    private readonly SearchValues<char> plain;

    public JsonStringWriter()
    {
        // JsonFormatter's own string escaper, so our text cannot differ from its output.
        var method = typeof(JsonFormatter).GetMethod("WriteString", BindingFlags.NonPublic | BindingFlags.Static, [typeof(TextWriter), typeof(string)])
            ?? throw new InvalidOperationException("Google.Protobuf's JsonFormatter.WriteString was not found");
        escape = method.CreateDelegate<Action<TextWriter, string>>();

        var chars = new List<char>();
        for (var c = (char)0x20; c < 0x7f; c++)
        {
            var one = new StringWriter();
            escape(one, c.ToString());
            if (one.ToString() == $"\"{c}\"")
            {
                chars.Add(c);
            }
        }

        plain = SearchValues.Create([.. chars]);
        PlainBytes = SearchValues.Create([.. chars.Select(c => (byte)c)]);
    }

    /// <summary>The bytes of <see cref="plain"/>: UTF-8 made only of these is its own JSON string body.</summary>
    public SearchValues<byte> PlainBytes { get; }

    public void Write(TextWriter w, string value)
    {
        if (value.AsSpan().ContainsAnyExcept(plain))
        {
            escape(w, value);
            return;
        }

        w.Write('"');
        w.Write(value);
        w.Write('"');
    }
}
