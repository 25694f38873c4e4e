using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>
/// Policy changes that come over gRPC (<c>tetra tracingpolicy ...</c>). With
/// <c>--persist-grpc-policies</c> each one is recorded in the store too, and the store and the
/// kernel change together: a record that cannot be written undoes the load, a kernel change
/// that fails puts the old record back. At start the agent loads what the store holds, so
/// enforcement added by hand survives a restart of the container.
/// </summary>
internal sealed class GrpcPolicies(PolicyManager policies, GrpcPolicyStore? store, ILogger logger)
{
    private readonly Lock gate = new();

    /// <param name="mode">tetra tracingpolicy add --mode; null: the policy's own.</param>
    public void Add(string yaml, PolicyMode? mode = null)
    {
        lock (gate)
        {
            var loaded = policies.Add(yaml, "grpc", mode);
            if (store is null)
            {
                return;
            }

            try
            {
                store.Save(loaded.Name, new GrpcPolicyStore.Entry(yaml, Enabled: true, mode));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                policies.Delete(loaded.Name);
                throw new PolicyRejectedException($"policy \"{loaded.Name}\" not added: cannot record it in {store.Directory} (--persist-grpc-policies): {e.Message}");
            }
        }
    }

    public void Delete(string name)
    {
        lock (gate)
        {
            var previous = Previous(name);
            if (previous is not null)
            {
                Record(name, () => store!.Remove(name));
            }

            try
            {
                policies.Delete(name);
            }
            catch (PolicyNotFoundException) when (previous is not null)
            {
                // Recorded but not loaded (it failed to restore at start): deleting drops the record.
                logger.LogInformation("recorded tracing policy {Name} removed from {Directory}", name, store!.Directory);
            }
            catch when (previous is not null)
            {
                store!.Save(name, previous); // still loaded: still recorded
                throw;
            }
        }
    }

    public void SetEnabled(string name, bool enabled) =>
        Change(name, entry => entry with { Enabled = enabled }, () => policies.SetEnabled(name, enabled));

    public void SetMode(string name, PolicyMode mode) =>
        Change(name, entry => entry with { Mode = mode }, () => policies.SetMode(name, mode));

    /// <summary>A change to a loaded policy: its record first (when it has one), put back if the kernel change fails.</summary>
    private void Change(string name, Func<GrpcPolicyStore.Entry, GrpcPolicyStore.Entry> update, Action apply)
    {
        lock (gate)
        {
            var previous = Previous(name);
            if (previous is not null)
            {
                Record(name, () => store!.Save(name, update(previous)));
            }

            try
            {
                apply();
            }
            catch when (previous is not null)
            {
                store!.Save(name, previous);
                throw;
            }
        }
    }

    /// <summary>Loads every recorded policy (disabled ones stay disabled); one that fails is logged, kept in the store, and skipped.</summary>
    public int Restore()
    {
        if (store is null)
        {
            return 0;
        }

        var restored = 0;
        lock (gate)
        {
            foreach (var (file, entry, error) in store.ReadAll())
            {
                try
                {
                    if (entry is null)
                    {
                        throw new PolicyRejectedException(error ?? "unreadable");
                    }

                    var loaded = policies.Add(entry.Yaml, file, entry.Mode);
                    if (!entry.Enabled)
                    {
                        policies.SetEnabled(loaded.Name, false);
                    }

                    restored++;
                }
                catch (PolicyRejectedException e)
                {
                    logger.LogError("recorded tracing policy {File} not restored: {Error}", file, e.Message);
                }
            }
        }

        return restored;
    }

    /// <summary>The record of a policy added over gRPC; null when the store is off or the policy came from elsewhere (a file).</summary>
    private GrpcPolicyStore.Entry? Previous(string name)
    {
        try
        {
            return store?.Read(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new PolicyRejectedException($"policy \"{name}\": its record in {store!.Directory} cannot be read: {e.Message}");
        }
    }

    private void Record(string name, Action change)
    {
        try
        {
            change();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyRejectedException($"policy \"{name}\" unchanged: cannot update its record in {store!.Directory} (--persist-grpc-policies): {e.Message}");
        }
    }
}
