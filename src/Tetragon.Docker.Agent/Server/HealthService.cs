using Grpc.Core;
using Grpc.Health.V1;
using Tetragon.Docker.Agent.Options;

namespace Tetragon.Docker.Agent.Server;

/// <summary>
/// Tetragon's health server (<c>--health-server-address</c>): the standard grpc.health.v1
/// service, for probes such as grpc_health_probe or an orchestrator's gRPC check. Its one
/// service, "liveness" (also answered for "", the server as a whole), serves while the
/// sensors run. Watch re-checks every <c>--health-server-interval</c> seconds.
/// </summary>
internal sealed class HealthService(AgentRuntime runtime, AgentOptions options) : Health.HealthBase
{
    public const string Liveness = "liveness";

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse { Status = StatusOf(request.Service) });

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var interval = TimeSpan.FromSeconds(options.HealthServerInterval);
        HealthCheckResponse.Types.ServingStatus? last = null;
        try
        {
            while (!context.CancellationToken.IsCancellationRequested)
            {
                var status = StatusOf(request.Service);
                if (status != last)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken);
                    last = status;
                }

                await Task.Delay(interval, context.CancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away or the agent stops
        }
    }

    private HealthCheckResponse.Types.ServingStatus StatusOf(string service)
    {
        if (service is not ("" or Liveness))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"unknown service \"{service}\": this server has \"{Liveness}\""));
        }

        return runtime.Running ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
    }
}
