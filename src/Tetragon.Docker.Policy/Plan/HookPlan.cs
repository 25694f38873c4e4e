namespace Tetragon.Docker.Policy.Plan;

/// <summary>One compiled hook, independent of the running kernel.</summary>
public sealed record HookPlan
{
    public required HookKind Kind { get; init; }

    /// <summary>The hook's path in the policy, e.g. <c>spec.kprobes[0]</c>.</summary>
    public required string SourcePath { get; init; }

    public required HookTarget Target { get; init; }

    public IReadOnlyList<ArgDescriptor> Args { get; init; } = [];

    /// <summary>Whether the hook also fires on return (kretprobe / uretprobe).</summary>
    public bool Return { get; init; }

    public ArgDescriptor? ReturnArg { get; init; }

    public ReturnArgAction? ReturnArgAction { get; init; }

    public IReadOnlyList<SelectorPlan> Selectors { get; init; } = [];

    public string? Message { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<KernelRequirement> Requirements { get; init; } = [];
}
