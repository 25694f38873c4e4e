using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Keeps the kernel's gen_scopes map (scope, cgroup id) in step with the containers: a hook of a
/// policy with a podSelector or containerSelector fires only in the cgroups listed for its scope.
/// Recomputed when a scope is added and whenever the container resolver's view changes: at once
/// when the resolver says so (an inspect answered, cgroups listed), and every <see cref="Interval"/>
/// while a scope exists for anything else (no wake-ups otherwise). A container whose
/// metadata is being fetched again (a restart, a rename) keeps its entries until the answer
/// comes: enforcement has no gap while Docker is asked.
/// </summary>
internal sealed class ContainerScopes : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly IContainerResolver containers;
    private readonly Action<uint, ulong, bool> write;
    private readonly Lock gate = new();
    private readonly Dictionary<uint, ContainerScope> scopes = [];
    private readonly HashSet<(uint Scope, ulong Cgroup)> installed = [];
    private readonly Timer timer;
    private long seenVersion = -1;
    private bool disposed;

    /// <param name="write">Adds (true) or deletes (false) one (scope, cgroup id) entry in the kernel.</param>
    public ContainerScopes(IContainerResolver containers, Action<uint, ulong, bool> write)
    {
        this.containers = containers;
        this.write = write;
        timer = new Timer(_ => Refresh(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        containers.Changed += Refresh;
    }

    /// <summary>(scope, cgroup id) pairs in the kernel now.</summary>
    public int Entries
    {
        get
        {
            lock (gate)
            {
                return installed.Count;
            }
        }
    }

    public void Add(uint id, ContainerScope scope)
    {
        lock (gate)
        {
            scopes[id] = scope;
            Reconcile();
            timer.Change(Interval, Interval);
        }

        containers.RequestCgroupScan();
    }

    public void Remove(uint id)
    {
        lock (gate)
        {
            scopes.Remove(id);
            foreach (var key in installed.Where(k => k.Scope == id).ToList())
            {
                Delete(key);
            }

            if (scopes.Count == 0)
            {
                timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Recomputes the entries if the containers changed since the last time.</summary>
    public void Refresh()
    {
        lock (gate)
        {
            if (!disposed && scopes.Count > 0 && containers.Version != seenVersion)
            {
                Reconcile();
            }
        }
    }

    private void Reconcile()
    {
        seenVersion = containers.Version;
        var wanted = new HashSet<(uint, ulong)>();
        var live = new HashSet<ulong>();
        foreach (var (cgroup, containerId) in containers.ContainerCgroups)
        {
            live.Add(cgroup);
            var known = containers.TryGetContainer(containerId, out var info);
            foreach (var (id, scope) in scopes)
            {
                if (known ? scope.Matches(info!.Name, info.Labels) : installed.Contains((id, cgroup)))
                {
                    wanted.Add((id, cgroup));
                }
            }
        }

        foreach (var key in installed.Where(k => !wanted.Contains(k)).ToList())
        {
            Delete(key);
        }

        foreach (var key in wanted.Where(k => !installed.Contains(k)))
        {
            try
            {
                write(key.Item1, key.Item2, true);
                installed.Add(key);
            }
            catch (Exception e) when (e is Tetragon.Docker.Bpf.BpfException or InvalidOperationException)
            {
                // The map is full (or gone while the agent stops): tried again at the next change.
                seenVersion = -1;
            }
        }
    }

    private void Delete((uint Scope, ulong Cgroup) key)
    {
        try
        {
            write(key.Scope, key.Cgroup, false);
        }
        catch (Exception e) when (e is Tetragon.Docker.Bpf.BpfException or InvalidOperationException)
        {
            // Already gone.
        }

        installed.Remove(key);
    }

    /// <summary>Stops the timer and waits out a refresh in flight: the maps it writes are closed next.</summary>
    public void Dispose()
    {
        containers.Changed -= Refresh;
        timer.Dispose();
        lock (gate)
        {
            disposed = true;
        }
    }
}
