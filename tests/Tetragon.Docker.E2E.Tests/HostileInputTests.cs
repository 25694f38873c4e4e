using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Process = System.Diagnostics.Process;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>What a hostile process can put in its arguments must come out as valid JSON and safe terminal lines.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public async Task HostileArgumentsStayValidJsonAndSafeCompactLines()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"hostile-{Guid.NewGuid():N}";
        var big = new string('A', 5000);
        // Invalid UTF-8 (0xff), a newline, a terminal escape sequence, quotes, a 5 KB argument.
        var script = $"printf '\\377 \\n \\033[31mred\\033]0;title\\007 \"q\"' > /tmp/{marker}.arg; /bin/true {marker} \"$(cat /tmp/{marker}.arg)\" {big}; rm /tmp/{marker}.arg";
        await Trigger.RunAsync("/bin/sh", "/", "-c", script);
        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments.StartsWith(marker, StringComparison.Ordinal) == true);

        // Every line of the export is valid JSON, whatever the arguments held.
        foreach (var line in File.ReadLines(agent.ExportFile))
        {
            using var _ = JsonDocument.Parse(line);
        }

        var args = exec.ProcessExec.Process.Arguments;
        Assert.Contains("\uFFFD", args, StringComparison.Ordinal);
        Assert.Contains("\u001b[31mred", args, StringComparison.Ordinal); // kept verbatim in JSON (escaped there)
        Assert.EndsWith(big, args, StringComparison.Ordinal);

        // Compact output through tetra: one line per event, no control characters.
        var info = new ProcessStartInfo(Paths.Cli) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "--server-address", $"unix://{agent.Socket}", "getevents", "-o", "compact", "--process", "true$" })
        {
            info.ArgumentList.Add(arg);
        }

        using var tetra = Process.Start(info)!;
        var stdout = new StringBuilder();
        var reading = Task.Run(
            async () =>
            {
                var buffer = new char[65536];
                int n;
                while ((n = await tetra.StandardOutput.ReadAsync(buffer, CancellationToken.None)) > 0)
                {
                    lock (stdout)
                    {
                        stdout.Append(buffer, 0, n);
                    }
                }
            },
            TestContext.Current.CancellationToken);
        string[] lines = [];
        for (var i = 0; i < 40 && lines.Length == 0; i++)
        {
            await Trigger.RunAsync("/bin/sh", "/", "-c", script);
            await Task.Delay(250, TestContext.Current.CancellationToken);
            lock (stdout)
            {
                lines = [.. stdout.ToString().Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal) && l.Contains("🚀", StringComparison.Ordinal))];
            }
        }

        tetra.Kill();
        await reading;
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines[0], c => c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0));
        Assert.Contains("red", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgumentsBeyondTheKernelBufferAreFlaggedNotSilentlyCut()
    {
        await using var agent = await AgentProcess.StartAsync();
        var marker = $"long-{Guid.NewGuid():N}";
        var huge = string.Join(' ', Enumerable.Repeat(new string('x', 1000), 20)); // 20 KB of arguments
        await Trigger.RunAsync("/bin/sh", "/", "-c", $"/bin/true {marker} {huge}");
        var exec = (await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments.StartsWith(marker, StringComparison.Ordinal) == true)).ProcessExec;
        Assert.Contains("truncArgs", exec.Process.Flags.Split(' '));
    }
}
