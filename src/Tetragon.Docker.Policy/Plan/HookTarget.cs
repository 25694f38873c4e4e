namespace Tetragon.Docker.Policy.Plan;

/// <summary>Where a hook attaches.</summary>
public abstract record HookTarget
{
    /// <summary>The name shown in events and messages (function_name, subsys/event, path symbol).</summary>
    public abstract string DisplayName { get; }
}
