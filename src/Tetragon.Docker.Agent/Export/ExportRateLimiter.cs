namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// <c>--export-rate-limit</c>: at most N events a minute into the JSON export, as Tetragon does
/// it: a token bucket holding up to N tokens, refilled at N per minute, so a quiet minute saves
/// up for a burst of N. What it refuses is counted, and reported in the export itself as a
/// <c>rate_limit_info</c> event once a minute (and at shutdown), so a reader of the log knows
/// how many events it did not get. Used by the event thread alone.
/// </summary>
internal sealed class ExportRateLimiter
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly int perMinute;
    private readonly TimeProvider time;
    private double tokens;
    private DateTimeOffset refilled;
    private DateTimeOffset nextReport;

    public ExportRateLimiter(int perMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perMinute);
        this.perMinute = perMinute;
        this.time = time;
        tokens = perMinute;
        refilled = time.GetUtcNow();
        nextReport = refilled + Interval;
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Refused since the last report.</summary>
    public ulong Dropped { get; private set; }

    /// <summary>True when the event may go out; false (and counted) when it is over the limit.</summary>
    public bool TryTake()
    {
        var now = time.GetUtcNow();
        var elapsed = now - refilled;
        if (elapsed > TimeSpan.Zero)
        {
            tokens = Math.Min(perMinute, tokens + (elapsed / Interval * perMinute));
        }

        refilled = now; // a clock stepped back refills nothing
        if (tokens >= 1)
        {
            tokens--;
            return true;
        }

        Dropped++;
        return false;
    }

    /// <summary>What to report now: the count refused since the last report, once its minute is over (or when <paramref name="force"/>); 0 for nothing.</summary>
    public ulong TakeReport(bool force)
    {
        var now = time.GetUtcNow();
        if (!force && now < nextReport)
        {
            return 0;
        }

        nextReport = now + Interval;
        var dropped = Dropped;
        Dropped = 0;
        return dropped;
    }
}
