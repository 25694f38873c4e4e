using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Tetragon.Docker.Bpf.Tests;

/// <summary>The kernel tier: real objects loaded into the running kernel, real syscalls, real samples.</summary>
public sealed class BpfObjectTests
{
    private const byte MsgOpExecve = 5;
    private const byte MsgOpExit = 7;

    [Fact]
    public void KernelHasWhatTheProcessSensorNeeds()
    {
        var features = KernelFeatures.Probe();
        Assert.True(features.MissingForProcessSensor() is null, $"missing: {features.MissingForProcessSensor()}");
    }

    [Fact]
    public async Task ExecAndExitProgramsWriteSamplesToTheSharedRingBuffer()
    {
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.SetMaxEntries("events", 1 << 20);
        exec.Load();
        var ringFd = exec.Map("events").Fd;
        exec.Map("ringbuf_config").Update(0u, 1UL); // wake on every sample

        using var exit = BpfObject.Open(BpfObjects.Path("bpf_exit.o"));
        exit.ReuseMap("events", ringFd);
        exit.ReuseMap("lost_events", exec.Map("lost_events").Fd);
        exit.ReuseMap("ringbuf_config", exec.Map("ringbuf_config").Fd);
        exit.Load();
        exec.AttachAll();
        exit.AttachAll();
        Assert.Single(exec.Links);

        var samples = new List<byte[]>();
        using var ring = new RingBuffer(ringFd, s => samples.Add(s.ToArray()));
        using var child = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exit 7", "bpf-tier-marker"]) { WorkingDirectory = "/tmp" })!;
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        byte[]? execSample = null, exitSample = null;
        while ((execSample is null || exitSample is null) && DateTime.UtcNow < deadline)
        {
            ring.PollAndDrain(50);
            execSample ??= samples.FirstOrDefault(s => s[0] == MsgOpExecve && Pid(s) == child.Id);
            exitSample ??= samples.FirstOrDefault(s => s[0] == MsgOpExit && Pid(s) == child.Id);
        }

        Assert.NotNull(execSample);
        Assert.NotNull(exitSample);
        Assert.Equal((uint)execSample.Length, BinaryPrimitives.ReadUInt32LittleEndian(execSample.AsSpan(4)));
        var data = Encoding.UTF8.GetString(execSample.AsSpan(360));
        Assert.Contains("bpf-tier-marker", data, StringComparison.Ordinal);
        Assert.Contains("dash\0bin\0usr\0", data, StringComparison.Ordinal); // binary components, leaf first
        Assert.Contains("tmp\0", data, StringComparison.Ordinal);             // cwd
        Assert.Equal(7u << 8, BinaryPrimitives.ReadUInt32LittleEndian(exitSample.AsSpan(24)));

        exec.Detach();
        Assert.Empty(exec.Links);
    }

    [Fact]
    public async Task SamplesThatWrapAroundTheRingsEndArriveWhole()
    {
        // A 16 KiB ring and exec samples of varied lengths: every few dozen samples one
        // straddles the end of the data pages, which the reader maps only once.
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.SetMaxEntries("events", 16384);
        exec.Load();
        exec.Map("ringbuf_config").Update(0u, 1UL); // wake on every sample
        exec.AttachAll();

        var samples = new List<byte[]>();
        using var ring = new RingBuffer(exec.Map("events").Fd, s => samples.Add(s.ToArray()));
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                ring.PollAndDrain(10);
            }
        }, TestContext.Current.CancellationToken);

        const int Runs = 200;
        for (var i = 0; i < Runs; i++)
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exit 0", Marker(i)]))!;
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await Task.Delay(200, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await reader;
        ring.PollAndDrain(0);

        var found = 0;
        foreach (var sample in samples.Where(s => s[0] == MsgOpExecve))
        {
            Assert.Equal((uint)sample.Length, BinaryPrimitives.ReadUInt32LittleEndian(sample.AsSpan(4)));
            var text = Encoding.Latin1.GetString(sample);
            var at = text.IndexOf("ring-wrap-", StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var arg = text[at..text.IndexOf('\0', at)];
            var i = int.Parse(arg.Split('-')[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Marker(i), arg);
            found++;
        }

        Assert.True(ring.WrappedSamples > 0, "no sample wrapped around the ring's end");
        Assert.True(found >= Runs * 3 / 4, $"{found} of {Runs} exec samples arrived");
    }

    [Fact]
    public void ReadingAMapThatIsNotARingBufferNamesTheProblem()
    {
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.Load();
        var e = Assert.Throws<BpfException>(() => new RingBuffer(exec.Map("lost_events").Fd, _ => { }));
        Assert.Contains("is not a ring buffer", e.Message, StringComparison.Ordinal);
    }

    private static string Marker(int i) => $"ring-wrap-{i}-" + new string((char)('a' + (i % 26)), i * 37 % 700);

    [Fact]
    public void LostEventsAreCountedPerCpuAndOpcodeWhenTheRingBufferIsFull()
    {
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.SetMaxEntries("events", 4096);
        exec.Load();
        exec.AttachAll();

        // Nobody consumes: a page fills after a few execs, the rest are counted lost.
        for (var i = 0; i < 40; i++)
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/true"))!;
            p.WaitForExit();
        }

        // Counted under the exec opcode (MSG_OP_EXECVE, 5): tetragon_missed_events_total{msg_op="5"}.
        Assert.True(exec.Map("lost_events").SumPerCpu(5) > 0);
        Assert.Equal(0ul, exec.Map("lost_events").SumPerCpu(0));
    }

    /// <summary>
    /// The ring's wakeups (emit_event): an idle reader (threshold 1) is woken by the first
    /// record; below a busy threshold nobody is woken (the reader's timer drains); past it a
    /// producer wakes the reader, though it looks at the fill level only every 32nd record.
    /// </summary>
    [Fact]
    public async Task ProducersWakeTheReaderWhenIdleAndOncePastTheThreshold()
    {
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.SetMaxEntries("events", 1 << 22);
        exec.Load();
        exec.AttachAll();
        var config = exec.Map("ringbuf_config");
        var ringFd = exec.Map("events").Fd;
        using var ring = new RingBuffer(ringFd, _ => { });
        var ct = TestContext.Current.CancellationToken;

        // Blocks in poll on a drained ring while up to `maxExecs` run (fewer once the poll has
        // returned); true when a producer woke it. Any exec on the host writes to this ring: a
        // record that lands between the drain and the poll makes poll return at once, and a signal
        // interrupts it; either spoils the attempt, which then reruns.
        async Task<bool> WokenBy(int maxExecs, int timeoutMs)
        {
            for (var attempt = 1; ; attempt++)
            {
                var waited = Task.Run(() =>
                {
                    ring.PollAndDrain(0);
                    return RingPoll.Wait(ringFd, timeoutMs);
                }, ct);
                await Task.Delay(200, ct);
                var spoiled = waited.IsCompleted;
                // On many CPUs a producer reaches its 32nd record late: keep exec'ing until woken.
                for (var i = 0; i < maxExecs && !waited.IsCompleted; i++)
                {
                    using var p = Process.Start(new ProcessStartInfo("/bin/true"))!;
                    await p.WaitForExitAsync(ct);
                }

                var outcome = await waited;
                spoiled |= outcome == RingPoll.Outcome.Interrupted;
                if (!spoiled || attempt == 10)
                {
                    return outcome == RingPoll.Outcome.Woken;
                }
            }
        }

        config.Update(0u, 1UL);
        Assert.True(await WokenBy(1, 5000), "idle: the first record wakes the reader");

        config.Update(0u, 3UL << 20);
        Assert.False(await WokenBy(3, 1500), "below the threshold: no wakeup");
        Assert.True(ring.PollAndDrain(0) >= 3, "what the producers wrote is there for the reader's timer");

        config.Update(0u, 16UL << 10);
        Assert.True(await WokenBy(20_000, 20_000), "past the threshold: a producer wakes the reader");
    }

    [Fact]
    public void OpeningAMissingOrInvalidObjectNamesTheProblem()
    {
        var missing = Assert.Throws<BpfException>(() => BpfObject.Open("/no/such/object.o"));
        Assert.Contains("/no/such/object.o", missing.Message, StringComparison.Ordinal);

        var notElf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notElf, "not an ELF file");
            var invalid = Assert.Throws<BpfException>(() => BpfObject.Open(notElf));
            Assert.NotEqual(0, invalid.Errno);
        }
        finally
        {
            File.Delete(notElf);
        }
    }

    [Fact]
    public void ReusingAMapOfTheWrongTypeFailsTheLoad()
    {
        using var exec = BpfObject.Open(BpfObjects.Path("bpf_execve.o"));
        exec.Load();
        using var exit = BpfObject.Open(BpfObjects.Path("bpf_exit.o"));
        // lost_events (a per-CPU array) is not a ring buffer.
        exit.ReuseMap("events", exec.Map("lost_events").Fd);
        Assert.ThrowsAny<BpfException>(exit.Load);
    }

    [Fact]
    public void TheKprobeObjectPassesTheVerifierAndAnAttachFailureNamesTheFunction()
    {
        // Loading needs no kprobe PMU (the program type is the uprobes'); attaching does. This
        // kernel has none, so the attach must fail naming the function; the stock kernel in
        // scripts/kernel-vm-test.sh attaches it for real.
        using var kprobe = BpfObject.Open(BpfObjects.Path("bpf_generic_kprobe.o"));
        kprobe.Load();
        foreach (var (program, retprobe) in new[] { ("generic_kprobe", false), ("generic_kretprobe", true) })
        {
            if (KernelFeatures.Probe().Kprobes)
            {
                using var link = kprobe.AttachKprobe(program, "security_file_permission", retprobe, cookie: 1);
                continue;
            }

            var e = Assert.Throws<BpfException>(() => kprobe.AttachKprobe(program, "security_file_permission", retprobe, cookie: 1));
            Assert.Contains($"{(retprobe ? "kretprobe" : "kprobe")} to kernel function security_file_permission", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("bpf_execve.o")]
    [InlineData("bpf_generic_kprobe.o")]
    [InlineData("bpf_generic_syscall.o")]
    [InlineData("bpf_generic_tracepoint.o")]
    [InlineData("bpf_generic_uprobe.o")]
    public void EveryProgramVerifiesWithinHalfTheComplexityLimit(string file)
    {
        // The verifier gives up at 1M processed instructions, and a kernel update can raise the
        // count of an unchanged program (the generic objects once went from under 1M to over it).
        // Half the limit leaves room for that and for the next feature.
        using var obj = BpfObject.Open(BpfObjects.Path(file));
        var stats = obj.LoadWithVerifierStats();

        Assert.NotEmpty(stats);
        foreach (var (program, processed) in stats)
        {
            Assert.True(processed is > 0 and < 500_000, $"{file} {program}: {processed} instructions processed");
        }
    }

    private static int Pid(byte[] sample) => (int)BinaryPrimitives.ReadUInt32LittleEndian(sample.AsSpan(16));
}
