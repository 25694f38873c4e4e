using System.CommandLine;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Cli;

/// <summary>Runs one unary call against the agent and reports failures as one line on stderr.</summary>
internal static class AgentCall
{
    public static async Task<int> RunAsync(
        CliContext context,
        ParseResult parseResult,
        Func<FineGuidanceSensors.FineGuidanceSensorsClient, DateTime, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        ServerAddress address;
        try
        {
            address = context.ResolveAddress(parseResult);
        }
        catch (ArgumentException ex)
        {
            context.Error.WriteLine($"tetra: {ex.Message}");
            return 1;
        }

        try
        {
            using var channel = AgentChannel.Create(address);
            return await action(AgentChannel.Client(channel), DateTime.UtcNow + parseResult.GetValue(context.TimeoutOption), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex) when (ex is Grpc.Core.RpcException or HttpRequestException or IOException)
        {
            return CliErrors.Report(ex, address, context.Error);
        }
    }
}
