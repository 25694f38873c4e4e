namespace Tetragon.Docker.Policy.Model;

public sealed record ActionSelector
{
    public string Action { get; init; } = string.Empty;

    public int? ArgFd { get; init; }

    public int? ArgName { get; init; }

    public string? ArgUrl { get; init; }

    public string? ArgFqdn { get; init; }

    public int? ArgError { get; init; }

    /// <summary>Signal number or name (<c>9</c>, <c>SIGKILL</c>, <c>KILL</c>).</summary>
    public string? ArgSig { get; init; }

    public int? ArgSock { get; init; }

    public int? ArgIndex { get; init; }

    public long? ArgValue { get; init; }

    public string? RateLimit { get; init; }

    public string? RateLimitScope { get; init; }

    public bool KernelStackTrace { get; init; }

    public bool UserStackTrace { get; init; }

    public bool ImaHash { get; init; }
}
