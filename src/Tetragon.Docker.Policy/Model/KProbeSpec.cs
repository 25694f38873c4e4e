namespace Tetragon.Docker.Policy.Model;

public sealed record KProbeSpec
{
    /// <summary>Function or syscall name, or <c>list:NAME</c> naming a spec list of syscalls.</summary>
    public string Call { get; init; } = string.Empty;

    /// <summary>Whether <see cref="Call"/> is a syscall (Tetragon's default: true).</summary>
    public bool Syscall { get; init; } = true;

    public bool Return { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<KProbeArg> Args { get; init; } = [];

    public KProbeArg? ReturnArg { get; init; }

    public string? ReturnArgAction { get; init; }

    public IReadOnlyList<KProbeSelector> Selectors { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}
