using System.Diagnostics;
using Tetragon.Docker.Api;
using Process = System.Diagnostics.Process;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>Bad input and overload: clear errors before anything loads, counted losses, an agent that keeps going.</summary>
public sealed class AgentRobustnessTests
{
    [Theory]
    [InlineData("--no-such-flag", "--no-such-flag")]
    [InlineData("--rb-size=5000", "--rb-size: 5000 is not a power of two")]
    [InlineData("--export-filename=/proc/version/tetragon.log", "--export-filename: cannot write /proc/version/tetragon.log")]
    [InlineData("--export-file-perm=abc", "--export-file-perm")]
    [InlineData("--server-address=nonsense", "--server-address")]
    [InlineData("--export-denylist={\"pid\":[1]} {\"no_such_field\":true}", "--export-denylist: filter 2 (line 1)")]
    [InlineData("--export-allowlist={\"binary_regex\":[\"(\"]}", "--export-allowlist[0].binary_regex[0]: invalid regular expression")]
    [InlineData("--persist-grpc-policies-dir=/proc/version/store", "--persist-grpc-policies-dir: cannot write /proc/version/store")]
    [InlineData("--health-server-address=nonsense", "--health-server-address: \"nonsense\" is not [host]:port")]
    [InlineData("--health-server-address=localhost:54321", "share port 54321: each needs its own")]
    [InlineData("--health-server-interval=0", "--health-server-interval: 0 is not a positive number of seconds")]
    [InlineData("--cgroup-rate=fast", "--cgroup-rate: \"fast\" is not <events>,<interval>")]
    [InlineData("--process-cache-size=0", "--process-cache-size: 0 must be positive")]
    [InlineData("--log-format=xml", "--log-format: \"xml\" is not text or json")]
    [InlineData("--export-file-rotation-interval=soon", "--export-file-rotation-interval: \"soon\" is not a duration")]
    [InlineData("--redaction-filters={\"redact\":[\"--password=\\\\S+\"]}", "--redaction-filters[0].redact[0]: \"--password=\\S+\" has no capture group")]
    public async Task BadFlagsFailFastWithAClearErrorAndLoadNothing(string flag, string expected)
    {
        var info = new ProcessStartInfo(Paths.Agent) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var args = new List<string> { "--bpf-lib", Paths.Bpf, "--server-socket", "", flag };
        if (!flag.StartsWith("--export-filename", StringComparison.Ordinal))
        {
            args.AddRange(["--export-filename", Path.Combine(Path.GetTempPath(), $"t-{Guid.NewGuid():N}.log")]);
        }

        if (flag.StartsWith("--persist-grpc-policies-dir", StringComparison.Ordinal))
        {
            args.Add("--persist-grpc-policies"); // the directory is checked when persisting is on
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var agent = Process.Start(info)!;
        var stderr = agent.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = agent.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await agent.WaitForExitAsync(TestContext.Current.CancellationToken);
        var output = await stderr + await stdout;

        Assert.NotEqual(0, agent.ExitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("sensor __base__ loaded", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLogsAreAnObjectPerLine()
    {
        await using var agent = await AgentProcess.StartAsync("--log-format", "json");
        Assert.Equal(0, await agent.StopAsync());

        var lines = agent.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 3, agent.Log);
        var logs = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(logs, l => Assert.True(l.TryGetProperty("time", out _) && l.TryGetProperty("level", out _) && l.TryGetProperty("msg", out _)));
        Assert.Contains(logs, l => l.GetProperty("msg").GetString()!.StartsWith("sensor __base__ loaded", StringComparison.Ordinal) && l.GetProperty("level").GetString() == "info");
    }

    [Fact]
    public async Task RingBufferOverflowIsCountedAsLostAndTheAgentKeepsWorking()
    {
        // One page of ring buffer cannot hold a burst of parallel execs.
        var port = 23000 + (Environment.ProcessId % 1000);
        await using var agent = await AgentProcess.StartAsync("--rb-size", "4096", "--metrics-server", $"localhost:{port}");
        var burst = await Trigger.RunAsync("/bin/sh", "/", "-c", "for i in $(seq 400); do /bin/true & done; wait");
        Assert.Equal(0, burst.ExitCode);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        ulong lost = 0;
        while (lost == 0 && DateTime.UtcNow < deadline)
        {
            var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
            lost = status.Counters.GetValueOrDefault("tetragon_bpf_missed_events_total");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(lost > 0, "a 4 KiB ring buffer lost no event in a burst of 400 execs");

        // Tetragon's series: the losses by opcode add up to the total (the ring is idle now).
        using (var http = new HttpClient())
        {
            var text = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"), TestContext.Current.CancellationToken);
            var byOp = System.Text.RegularExpressions.Regex.Matches(text, "^tetragon_missed_events_total\\{msg_op=\"(\\d+)\"\\} (\\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
                .ToDictionary(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => ulong.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            var total = ulong.Parse(System.Text.RegularExpressions.Regex.Match(text, "^tetragon_bpf_missed_events_total (\\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(total >= lost);
            Assert.Equal(total, byOp.Values.Aggregate(0ul, (a, b) => a + b));
            Assert.All(byOp.Keys, op => Assert.Contains(op, new[] { 5, 7, 23 })); // exec, exit, clone: no hook is loaded
            Assert.Contains($"tetragon_ringbuf_perf_event_lost_total {total}", text, StringComparison.Ordinal);
        }

        // After the burst, events flow again.
        var marker = $"after-burst-{Guid.NewGuid():N}";
        await Trigger.RunAsync("/bin/sh", "/", "-c", "exit 0", marker);
        var exec = await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExec?.Process.Arguments.EndsWith(marker, StringComparison.Ordinal) == true);
        Assert.NotNull(exec);
        Assert.False(agent.HasExited);

        // The exits the ring lost leave no stale processes behind: gone from /proc, they leave the cache.
        var live = Directory.EnumerateDirectories("/proc").Count(d => uint.TryParse(Path.GetFileName(d), out _));
        ulong cached = 0, pruned = 0;
        deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
            cached = status.Counters.GetValueOrDefault("tetragon_process_cache_size");
            pruned = status.Counters.GetValueOrDefault("tetragon_process_cache_pruned_total");
        }
        while ((pruned == 0 || cached > (ulong)live + 50) && DateTime.UtcNow < deadline);

        Assert.True(pruned > 0, "no process of the burst was pruned from the cache");
        Assert.True(cached <= (ulong)live + 50, $"{cached} processes cached, {live} in /proc");
    }

    [Fact]
    public async Task ExportFileRotatesAtItsSizeLimitKeepingEveryEvent()
    {
        await using var agent = await AgentProcess.StartAsync("--export-file-max-size-mb", "1", "--export-file-max-backups", "3");
        var marker = $"rotate-{Guid.NewGuid():N}";

        // A 1,500-byte argument in each exec and exit: 400 pairs (~4 KiB each) overflow 1 MiB.
        var pad = new string('p', 1500);
        var run = await Trigger.RunAsync("/bin/sh", "/", "-c", $"for i in $(seq 400); do /bin/true {marker} {pad}; done; /bin/true {marker}-last");
        Assert.Equal(0, run.ExitCode);
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Arguments == $"{marker}-last");

        var files = new[] { agent.ExportFile + ".3", agent.ExportFile + ".2", agent.ExportFile + ".1", agent.ExportFile };
        Assert.True(File.Exists(agent.ExportFile + ".1"), "no rotation happened");
        foreach (var file in files.Where(File.Exists))
        {
            Assert.True(new FileInfo(file).Length <= 1024 * 1024, $"{file} exceeds 1 MiB");
        }

        var execs = files.SelectMany(ExportFile.Read).Count(e => e.ProcessExec?.Process.Arguments == $"{marker} {pad}");
        Assert.Equal(400, execs);
    }

    [Fact]
    public async Task TheAgentWatchesNoFiles()
    {
        // ASP.NET's appsettings reload would watch the working directory recursively with inotify:
        // in a container that is "/", and the watcher then wakes for every file written anywhere.
        await using var agent = await AgentProcess.StartAsync();
        await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var descriptors = new DirectoryInfo($"/proc/{agent.Pid}/fd").GetFileSystemInfos().Select(fd => fd.LinkTarget ?? "").ToList();
        Assert.Contains(descriptors, d => d.StartsWith("anon_inode:", StringComparison.Ordinal)); // the listing works
        Assert.DoesNotContain("anon_inode:inotify", descriptors);
    }

    [Fact]
    public async Task AnIdleAgentSleepsYetReportsAnExecAtOnce()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var stream = agent.Client.GetEvents(new GetEventsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var marker = $"idle-{Guid.NewGuid():N}";
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var reader = Task.Run(
            async () =>
            {
                while (await stream.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (stream.ResponseStream.Current.ProcessExec?.Process.Arguments is { } args && args.StartsWith(marker, StringComparison.Ordinal))
                    {
                        seen[args] = Stopwatch.GetTimestamp();
                    }
                }
            },
            TestContext.Current.CancellationToken);

        // Idle: the event thread waits for the kernel instead of polling every 5 ms (400 wake-ups in 2 s).
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var loop = new DirectoryInfo($"/proc/{agent.Pid}/task").GetDirectories().Single(t => File.ReadAllText(Path.Combine(t.FullName, "comm")).Trim() == "event-loop");
        // The fewest over up to three windows: another process's exec on the host wakes it for good reason.
        var switches = long.MaxValue;
        for (var window = 0; window < 3 && switches >= 150; window++)
        {
            var before = VoluntarySwitches(loop.FullName);
            await Task.Delay(2000, TestContext.Current.CancellationToken);
            switches = Math.Min(switches, VoluntarySwitches(loop.FullName) - before);
        }

        Assert.True(switches < 150, $"the idle event thread woke {switches} times in 2 s");

        // ...yet the first record wakes it: each exec, after a second of quiet, arrives within 300 ms
        // (a wake-up lost to the idle switch would cost up to its 1 s fallback poll).
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(1200, TestContext.Current.CancellationToken);
            var started = Stopwatch.GetTimestamp();
            await Trigger.RunAsync("/bin/true", "/", $"{marker}-{i}");
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!seen.ContainsKey($"{marker}-{i}") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            Assert.True(seen.TryGetValue($"{marker}-{i}", out var at), "the exec never arrived");
            var latency = Stopwatch.GetElapsedTime(started, at);
            Assert.True(latency < TimeSpan.FromMilliseconds(300), $"exec {i} arrived after {latency.TotalMilliseconds:F0} ms");
        }
    }

    private static long VoluntarySwitches(string task) =>
        long.Parse(File.ReadLines(Path.Combine(task, "status")).Single(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)).Split(':')[1].Trim());

    [Fact]
    public async Task AClientThatNeverReadsOnlyLosesItsOwnEvents()
    {
        await using var agent = await AgentProcess.StartAsync("--event-queue-size", "50");
        using var stalled = agent.Client.GetEvents(new GetEventsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken))
            .Counters.GetValueOrDefault("tetragon_grpc_subscribers") == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        // Far more than the stream's queue plus HTTP/2 buffers can hold.
        var marker = $"stalled-{Guid.NewGuid():N}";
        await Trigger.RunAsync("/bin/sh", "/", "-c", $"for i in $(seq 600); do /bin/true {marker}; done; /bin/true {marker}-last");
        await ExportFile.WaitForAsync(agent.ExportFile, e => e.ProcessExit?.Process.Arguments == $"{marker}-last");

        Assert.Equal(600, ExportFile.Read(agent.ExportFile).Count(e => e.ProcessExec?.Process.Arguments == marker));
        var status = await agent.Client.GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(status.Counters.GetValueOrDefault("tetragon_grpc_dropped_total") > 0, "the stalled stream dropped nothing");
        Assert.Equal(0ul, status.Counters.GetValueOrDefault("tetragon_export_dropped_total"));

        // Another client still gets events.
        using var live = agent.Client.GetEvents(new GetEventsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var liveMarker = $"live-{Guid.NewGuid():N}";
        var got = false;
        var reader = Task.Run(
            async () =>
            {
                while (await live.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (live.ResponseStream.Current.ProcessExec?.Process.Arguments == liveMarker)
                    {
                        got = true;
                        return;
                    }
                }
            },
            TestContext.Current.CancellationToken);
        for (var i = 0; i < 50 && !got; i++)
        {
            await Trigger.RunAsync("/bin/true", "/", liveMarker);
            await Task.WhenAny(reader, Task.Delay(200, TestContext.Current.CancellationToken));
        }

        Assert.True(got, "a reading client got nothing while another stalled");
    }
}
