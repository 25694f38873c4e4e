using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Grpc.Net.Client;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>A real agent (out/tetragon) started for one test with its own export file, socket and port.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    // Below the kernel's ephemeral range (32768-60999): a test's own outgoing connection can hold
    // any port in it, and once took the health port an agent was about to bind.
    private static int nextPort = 24000 + (Environment.ProcessId % 2000); // the metrics test takes 22000-22999

    private readonly System.Diagnostics.Process process;
    private readonly StringBuilder log = new();

    private AgentProcess(System.Diagnostics.Process process, string directory, string socket, int port)
    {
        Port = port;
        this.process = process;
        Directory = directory;
        Socket = socket;
        ExportFile = Path.Combine(directory, "tetragon.log");
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        Channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            },
        });
        Client = new FineGuidanceSensors.FineGuidanceSensorsClient(Channel);
    }

    public string Directory { get; }

    /// <summary>The gRPC TCP port; the health server listens on <see cref="HealthPort"/>.</summary>
    public int Port { get; }

    public int HealthPort => Port + 1000;

    public string Socket { get; }

    public string ExportFile { get; }

    public GrpcChannel Channel { get; }

    public FineGuidanceSensors.FineGuidanceSensorsClient Client { get; }

    public int Pid => process.Id;

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static async Task<AgentProcess> StartAsync(params string[] extraArgs)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("tetragon-e2e-").FullName;
        var socket = Path.Combine(dir, "tetragon.sock");
        var port = Interlocked.Increment(ref nextPort);
        var info = new ProcessStartInfo(Paths.Agent)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--bpf-lib", Paths.Bpf, "--export-filename", Path.Combine(dir, "tetragon.log"),
            "--server-socket", socket, "--server-address", $"localhost:{port}", "--health-server-address", $"localhost:{port + 1000}",
            "--enable-docker=false",
        }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        var agent = new AgentProcess(System.Diagnostics.Process.Start(info)!, dir, socket, port);
        await agent.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        return agent;
    }

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"agent exited with {process.ExitCode}:\n{Log}");
            }

            try
            {
                var health = await Client.GetHealthAsync(new GetHealthStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (health.HealthStatus.Count > 0 && health.HealthStatus.All(h => h.Status == HealthStatusResult.HealthStatusRunning))
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"agent not healthy after {timeout}:\n{Log}");
    }

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task<int> StopAsync()
    {
        if (!process.HasExited)
        {
            Posix.Kill(process.Id, Posix.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(cts.Token);
        }

        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }

        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
