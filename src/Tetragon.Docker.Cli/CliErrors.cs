using System.Net.Sockets;
using Grpc.Core;

namespace Tetragon.Docker.Cli;

/// <summary>Turns failures into one clear line on stderr (no stack traces).</summary>
internal static class CliErrors
{
    public static int Report(Exception exception, ServerAddress? address, TextWriter error)
    {
        switch (exception)
        {
            case RpcException { StatusCode: StatusCode.Unavailable } rpc when address is not null:
                error.WriteLine($"tetra: cannot reach the agent at {address.Text}: {Reason(rpc)}");
                break;
            case RpcException { StatusCode: StatusCode.DeadlineExceeded } when address is not null:
                error.WriteLine($"tetra: the agent at {address.Text} did not answer in time (--timeout sets how long to wait)");
                break;
            case RpcException { StatusCode: StatusCode.Unimplemented } rpc:
                error.WriteLine($"tetra: the agent does not support this call: {rpc.Status.Detail}");
                break;
            case RpcException rpc:
                error.WriteLine($"tetra: {rpc.Status.Detail} ({rpc.StatusCode})");
                break;
            case HttpRequestException or SocketException when address is not null:
                error.WriteLine($"tetra: cannot reach the agent at {address.Text}: {Innermost(exception).Message}");
                break;
            default:
                error.WriteLine($"tetra: {exception.Message}");
                break;
        }

        return 1;
    }

    private static string Reason(RpcException rpc)
    {
        if (rpc.Status.DebugException is { } debug)
        {
            var inner = Innermost(debug);
            if (!string.IsNullOrWhiteSpace(inner.Message))
            {
                return inner.Message;
            }
        }

        return rpc.Status.Detail;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
