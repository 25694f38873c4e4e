using System.Text;
using System.Text.Json;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// <c>--persist-grpc-policies-dir</c>: one JSON record per policy added over gRPC, as Tetragon
/// keeps them: <c>{"yaml": "...", "enabled": true}</c>. A record is replaced whole (written
/// beside it, then renamed over it), so a crash leaves the old record or the new one, never half.
/// </summary>
internal sealed class GrpcPolicyStore(string directory)
{
    private const string Extension = ".json";

    public string Directory { get; } = directory;

    /// <summary>A stored policy: its YAML and whether it was enabled.</summary>
    /// <param name="Mode">Set by ConfigureTracingPolicy; null: the policy's own (spec.options).</param>
    public sealed record Entry(string Yaml, bool Enabled, PolicyMode? Mode = null);

    /// <exception cref="IOException">The record could not be written.</exception>
    public void Save(string name, Entry entry)
    {
        var path = PathOf(name);
        var temporary = Path.Combine(Directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("yaml", entry.Yaml);
            json.WriteBoolean("enabled", entry.Enabled);
            if (entry.Mode is { } mode)
            {
                json.WriteString("mode", PolicyModeNames.Of(mode));
            }

            json.WriteEndObject();
            json.Flush();
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The record of <paramref name="name"/>, or null when there is none.</summary>
    public Entry? Read(string name)
    {
        var path = PathOf(name);
        return File.Exists(path) ? Parse(File.ReadAllBytes(path), path) : null;
    }

    public void Remove(string name) => File.Delete(PathOf(name));

    /// <summary>Every record, in name order; one that cannot be read comes back as its error.</summary>
    public IEnumerable<(string File, Entry? Entry, string? Error)> ReadAll()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            Entry? entry = null;
            string? error = null;
            try
            {
                entry = Parse(File.ReadAllBytes(path), path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                error = e.Message;
            }

            yield return (path, entry, error);
        }
    }

    /// <summary>The record's file: the policy name, percent-encoded where it is not a plain file name.</summary>
    private string PathOf(string name)
    {
        var file = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var plain = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_'
                || (b == (byte)'.' && file.Length > 0);
            file.Append(plain ? (char)b : $"%{b:X2}");
        }

        return Path.Combine(Directory, file + Extension);
    }

    private static Entry Parse(byte[] bytes, string path)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("yaml", out var yaml) || yaml.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"{path}: not a policy record (an object with a \"yaml\" string)");
            }

            var enabled = !root.TryGetProperty("enabled", out var e) || e.ValueKind != JsonValueKind.False;
            PolicyMode? mode = root.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String && PolicyModeNames.TryParse(m.GetString()!, out var parsed) ? parsed : null;
            return new Entry(yaml.GetString()!, enabled, mode);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
