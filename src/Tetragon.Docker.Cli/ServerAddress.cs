using System.Globalization;

namespace Tetragon.Docker.Cli;

/// <summary>
/// Where the agent listens: a Unix socket (<c>unix:///var/run/tetragon/tetragon.sock</c>) or a TCP
/// endpoint (<c>localhost:54321</c>, spoken as plain-text HTTP/2).
/// </summary>
/// <param name="Text">The address as the user gave it (for messages).</param>
/// <param name="HttpUri">The URI the gRPC channel is created for.</param>
/// <param name="UnixSocketPath">The socket path for unix:// addresses, else null.</param>
internal sealed record ServerAddress(string Text, Uri HttpUri, string? UnixSocketPath)
{
    public const string DefaultSocketPath = "/var/run/tetragon/tetragon.sock";
    public const string DefaultUnixAddress = "unix://" + DefaultSocketPath;
    public const string DefaultTcpAddress = "localhost:54321";
    public const string EnvironmentVariable = "TETRAGON_SERVER_ADDRESS";

    /// <summary>
    /// The default address: $TETRAGON_SERVER_ADDRESS if set, else the Unix socket if it exists,
    /// else localhost:54321.
    /// </summary>
    public static string Default(Func<string, string?> getEnvironment, Func<string, bool> socketExists)
    {
        var fromEnv = getEnvironment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return fromEnv.Trim();
        }

        return socketExists(DefaultSocketPath) ? DefaultUnixAddress : DefaultTcpAddress;
    }

    /// <summary>Parses <c>unix:///path</c>, <c>unix:path</c>, <c>http(s)://host:port</c>, <c>host:port</c> or <c>:port</c>.</summary>
    /// <exception cref="ArgumentException">The address is malformed.</exception>
    public static ServerAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["unix:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            if (path.Length == 0)
            {
                throw new ArgumentException($"invalid server address \"{text}\": empty socket path");
            }

            return new ServerAddress(text, new Uri("http://localhost"), path);
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                throw new ArgumentException($"invalid server address \"{text}\"");
            }

            return new ServerAddress(text, uri, null);
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"invalid server address \"{text}\": expected host:port, unix:///path or http://host:port");
        }

        var host = text[..colon];
        if (host.Length == 0)
        {
            host = "localhost";
        }

        if (!Uri.TryCreate($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}", UriKind.Absolute, out var httpUri))
        {
            throw new ArgumentException($"invalid server address \"{text}\": bad host \"{host}\"");
        }

        return new ServerAddress(text, httpUri, null);
    }
}
