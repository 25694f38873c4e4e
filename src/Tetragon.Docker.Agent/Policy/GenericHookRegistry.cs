using System.Collections.Concurrent;

namespace Tetragon.Docker.Agent.Policy;

/// <summary>Hook id → active hook; written by policy operations, read by the pipeline thread.</summary>
internal sealed class GenericHookRegistry
{
    private readonly ConcurrentDictionary<uint, ActiveHook> hooks = new();

    public ActiveHook? Get(uint id) => hooks.GetValueOrDefault(id);

    public void Add(ActiveHook hook) => hooks[hook.Id] = hook;

    public void Remove(uint id) => hooks.TryRemove(id, out _);

    public bool InUse(uint id) => hooks.ContainsKey(id);
}
