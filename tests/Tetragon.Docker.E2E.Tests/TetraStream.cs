using System.Diagnostics;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>The real CLI's `tetra getevents -o json` against an agent, its lines collected as they come.</summary>
internal sealed class TetraStream : IAsyncDisposable
{
    private static readonly Google.Protobuf.JsonParser Parser = new(Google.Protobuf.JsonParser.Settings.Default);
    private readonly System.Diagnostics.Process tetra;
    private readonly List<string> lines = [];
    private readonly Task reading;

    public TetraStream(AgentProcess agent, params string[] filters)
    {
        var info = new ProcessStartInfo(Paths.Cli) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "--server-address", $"unix://{agent.Socket}", "getevents", "-o", "json" }.Concat(filters))
        {
            info.ArgumentList.Add(arg);
        }

        tetra = System.Diagnostics.Process.Start(info)!;
        reading = Task.Run(async () =>
        {
            while (await tetra.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
    }

    /// <summary>The events streamed so far.</summary>
    public List<GetEventsResponse> Events()
    {
        lock (lines)
        {
            return lines.Select(l => Parser.Parse<GetEventsResponse>(l)).ToList();
        }
    }

    /// <summary>
    /// Runs <paramref name="trigger"/> until an event satisfying <paramref name="match"/> arrives
    /// (until the stream is up, events are not delivered to it); null after 20 s.
    /// </summary>
    public async Task<GetEventsResponse?> TriggerUntilAsync(Func<Task> trigger, Func<GetEventsResponse, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            await trigger();
            await Task.Delay(300, TestContext.Current.CancellationToken);
            if (Events().FirstOrDefault(match) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        tetra.Kill();
        await reading;
        tetra.Dispose();
    }
}
