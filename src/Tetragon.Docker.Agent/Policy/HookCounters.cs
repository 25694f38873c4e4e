namespace Tetragon.Docker.Agent.Policy;

/// <summary>One hook's kernel counters, summed over CPUs. Monitored: enforcement actions a monitor-mode policy elided.</summary>
internal sealed record HookCounters(ulong Seen, ulong Matched, ulong Posted, ulong RateLimited, ulong Signals, ulong Errors, ulong Monitored);
