namespace Tetragon.Docker.Policy.Plan;

/// <summary>A typed action; fields that do not apply to <see cref="Kind"/> are null.</summary>
public sealed record ActionPlan(ActionKind Kind)
{
    public int? ArgFd { get; init; }

    public int? ArgName { get; init; }

    public int? ArgSock { get; init; }

    public int? ArgIndex { get; init; }

    public long? ArgValue { get; init; }

    /// <summary>Signal number for Signal (and 9 for Sigkill).</summary>
    public int? Signal { get; init; }

    /// <summary>Signal name, e.g. SIGKILL.</summary>
    public string? SignalName { get; init; }

    /// <summary>Return value for Override (a negative errno, usually).</summary>
    public int? Error { get; init; }

    public Uri? Url { get; init; }

    public string? Fqdn { get; init; }

    public TimeSpan? RateLimit { get; init; }

    public RateLimitScope RateLimitScope { get; init; } = RateLimitScope.Thread;

    public bool KernelStackTrace { get; init; }

    public bool UserStackTrace { get; init; }

    public bool ImaHash { get; init; }
}
