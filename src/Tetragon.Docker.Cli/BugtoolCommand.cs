using System.CommandLine;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Cli;

/// <summary>
/// <c>tetra bugtool [--out FILE]</c>: one tar.gz for a bug report, as Tetragon's bugtool makes:
/// the agent's answers (version, health, status with its counters, tracing policies, sensors) as
/// proto JSON, and the kernel facts the engine depends on (release, LSMs, BTF, JIT, kptr_restrict,
/// cgroups). What cannot be read goes in as <c>NAME.error</c> with the reason, and the archive is
/// written anyway: an agent that is down is exactly when one is needed.
/// </summary>
internal sealed class BugtoolCommand
{
    public const string DefaultOut = "tetragon-bugtool.tar.gz";

    /// <summary>Kernel facts: archive name → file.</summary>
    private static readonly (string Name, string Path)[] KernelFiles =
    [
        ("kernel/version", "/proc/version"),
        ("kernel/cmdline", "/proc/cmdline"),
        ("kernel/lsm", "/sys/kernel/security/lsm"),
        ("kernel/unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled"),
        ("kernel/bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable"),
        ("kernel/kptr_restrict", "/proc/sys/kernel/kptr_restrict"),
        ("kernel/cgroup", "/proc/self/cgroup"),
        ("kernel/mounts", "/proc/self/mounts"),
    ];

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithIndentation());

    private readonly CliContext _context;

    public BugtoolCommand(CliContext context)
    {
        _context = context;
        var output = new Option<string>("--out") { Description = "the archive to write", DefaultValueFactory = _ => DefaultOut };
        Command = new Command("bugtool", "Gather the agent's state and the kernel's facts into a tar.gz for a bug report") { output };
        Command.SetAction((parseResult, ct) => RunAsync(parseResult, parseResult.GetValue(output)!, ct));
    }

    public Command Command { get; }

    private async Task<int> RunAsync(ParseResult parseResult, string path, CancellationToken ct)
    {
        var entries = new List<(string Name, string Text)>();
        await AddAgentAsync(parseResult, entries, ct).ConfigureAwait(false);
        foreach (var (name, file) in KernelFiles)
        {
            AddFile(entries, name, file);
        }

        var btf = new FileInfo("/sys/kernel/btf/vmlinux");
        entries.Add(("kernel/btf", btf.Exists ? $"/sys/kernel/btf/vmlinux: {btf.Length} bytes\n" : "/sys/kernel/btf/vmlinux: absent (CO-RE programs cannot load)\n"));

        try
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
            await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                foreach (var (name, text) in entries)
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, "tetragon-bugtool/" + name)
                    {
                        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
                        ModificationTime = DateTimeOffset.UtcNow,
                    };
                    await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _context.Error.WriteLine($"tetra: bugtool: cannot write {path}: {e.Message}");
            return 1;
        }

        var errors = entries.Count(e => e.Name.EndsWith(".error", StringComparison.Ordinal));
        _context.Output.WriteLine($"bugtool archive written to {path}: {entries.Count} files{(errors > 0 ? $", {errors} could not be read (see *.error)" : "")}");
        return 0;
    }

    /// <summary>Each call on its own: one that fails (or an agent that is down) leaves its reason, not a hole.</summary>
    private async Task AddAgentAsync(ParseResult parseResult, List<(string, string)> entries, CancellationToken ct)
    {
        ServerAddress address;
        try
        {
            address = _context.ResolveAddress(parseResult);
        }
        catch (ArgumentException e)
        {
            entries.Add(("agent.error", e.Message + "\n"));
            return;
        }

        using var channel = AgentChannel.Create(address);
        var client = AgentChannel.Client(channel);
        var timeout = parseResult.GetValue(_context.TimeoutOption);
        var calls = new (string Name, Func<DateTime, Task<IMessage>> Call)[]
        {
            ("agent/version.json", async d => await client.GetVersionAsync(new GetVersionRequest(), deadline: d, cancellationToken: ct)),
            ("agent/health.json", async d => await client.GetHealthAsync(new GetHealthStatusRequest(), deadline: d, cancellationToken: ct)),
            ("agent/status.json", async d => await client.GetStatusAsync(new GetStatusRequest(), deadline: d, cancellationToken: ct)),
            ("agent/tracingpolicies.json", async d => await client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), deadline: d, cancellationToken: ct)),
            ("agent/sensors.json", async d => await client.ListSensorsAsync(new ListSensorsRequest(), deadline: d, cancellationToken: ct)),
        };
        foreach (var (name, call) in calls)
        {
            try
            {
                entries.Add((name, Json.Format(await call(DateTime.UtcNow + timeout).ConfigureAwait(false)) + "\n"));
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
            {
                entries.Add((name + ".error", $"{address.Text}: {e.Message}\n"));
            }
        }
    }

    private static void AddFile(List<(string, string)> entries, string name, string path)
    {
        try
        {
            entries.Add((name, File.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries.Add((name + ".error", $"{path}: {e.Message}\n"));
        }
    }
}
