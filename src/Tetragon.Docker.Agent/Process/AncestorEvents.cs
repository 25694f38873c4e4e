namespace Tetragon.Docker.Agent.Process;

/// <summary>
/// <c>--enable-ancestors</c>, as Tetragon takes it: the event kinds whose events list the
/// process's ancestors beyond its parent (<c>base</c>: process_exec and process_exit, needed by
/// the others; <c>kprobe</c>, <c>tracepoint</c>, <c>uprobe</c>, <c>lsm</c>; <c>usdt</c> is
/// accepted for Tetragon's sake, this agent has no such events).
/// </summary>
internal sealed record AncestorEvents(bool Base, bool Kprobe, bool Tracepoint, bool Uprobe, bool Lsm = false)
{
    public static AncestorEvents None { get; } = new(false, false, false, false);

    private static readonly string[] Known = ["base", "kprobe", "tracepoint", "uprobe", "lsm", "usdt"];

    /// <exception cref="ArgumentException">An unknown kind, or a kind without base.</exception>
    public static AncestorEvents Parse(string text)
    {
        var kinds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).ToHashSet();
        if (kinds.FirstOrDefault(k => !Known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"--enable-ancestors: unknown event type \"{unknown}\" (known: {string.Join(", ", Known)})");
        }

        if (kinds.Count > 0 && !kinds.Contains("base"))
        {
            throw new ArgumentException($"--enable-ancestors: \"{string.Join(",", kinds)}\" needs base too: ancestors are kept by process_exec");
        }

        return new AncestorEvents(kinds.Contains("base"), kinds.Contains("kprobe"), kinds.Contains("tracepoint"), kinds.Contains("uprobe"), kinds.Contains("lsm"));
    }

    /// <summary>
    /// The ancestors of a process beyond its parent, nearest first, up to init (pid 1) or
    /// kthreadd (pid 2) as Tetragon lists them; as far as the cache knows them.
    /// </summary>
    public static List<Api.Process> Of(ProcessEntry entry)
    {
        var ancestors = new List<Api.Process>();
        for (var current = entry.Parent; current is { Pid: > 2, Parent: { } up }; current = up)
        {
            ancestors.Add(up.Process);
        }

        return ancestors;
    }
}
