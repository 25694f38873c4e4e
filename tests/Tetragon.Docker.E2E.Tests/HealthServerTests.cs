using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>--health-server-address: the standard gRPC health service, and nothing else, on its own port.</summary>
public sealed class HealthServerTests
{
    [Fact]
    public async Task LivenessServesWhileTheSensorsRun()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync("--health-server-interval", "1");
        using var channel = GrpcChannel.ForAddress($"http://localhost:{agent.HealthPort}");
        var health = new Health.HealthClient(channel);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" }, cancellationToken: ct)).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), cancellationToken: ct)).Status);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, cancellationToken: ct));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("liveness", unknown.Status.Detail, StringComparison.Ordinal);

        using var watch = health.Watch(new HealthCheckRequest { Service = "liveness" }, cancellationToken: ct);
        Assert.True(await watch.ResponseStream.MoveNext(ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task TheHealthPortServesNothingElse()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress($"http://localhost:{agent.HealthPort}");
        var api = new FineGuidanceSensors.FineGuidanceSensorsClient(channel);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await api.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: ct));
        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);

        // The API itself still answers on its own address.
        Assert.NotNull(await agent.Client.ListTracingPoliciesAsync(new ListTracingPoliciesRequest(), cancellationToken: ct));
    }
}
