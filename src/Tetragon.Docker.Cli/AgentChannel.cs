using System.Net.Sockets;
using Grpc.Net.Client;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Cli;

/// <summary>Creates the gRPC channel and client for a <see cref="ServerAddress"/>.</summary>
internal static class AgentChannel
{
    public static GrpcChannel Create(ServerAddress address)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = false,
        };

        if (address.UnixSocketPath is { } path)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                if (!File.Exists(path))
                {
                    throw new IOException($"{path}: no such socket (is the agent running?)");
                }

                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return GrpcChannel.ForAddress(address.HttpUri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
    }

    public static FineGuidanceSensors.FineGuidanceSensorsClient Client(GrpcChannel channel) => new(channel);
}
