namespace Tetragon.Docker.Policy.Model;

/// <summary>A named list (spec.lists) that a kprobe can use as <c>call: "list:NAME"</c>.</summary>
public sealed record ListSpec
{
    public string Name { get; init; } = string.Empty;

    /// <summary>syscalls, generated_syscalls or generated_ftrace; empty means syscalls.</summary>
    public string? Type { get; init; }

    public IReadOnlyList<string> Values { get; init; } = [];

    public string? Pattern { get; init; }

    public bool Validated { get; init; }
}
