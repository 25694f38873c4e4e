using Google.Protobuf;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>Reads the agent's JSON export as Tetragon events, waiting with a deadline for what a test expects.</summary>
internal static class ExportFile
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static IEnumerable<GetEventsResponse> Read(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line.EndsWith('}'))
            {
                yield return Parser.Parse<GetEventsResponse>(line);
            }
        }
    }

    public static async Task<GetEventsResponse> WaitForAsync(string path, Func<GetEventsResponse, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var match = Read(path).FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no matching event in {path} ({Read(path).Count()} events)");
            }

            await Task.Delay(100);
        }
    }
}
