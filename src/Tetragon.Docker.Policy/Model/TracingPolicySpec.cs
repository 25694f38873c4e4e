namespace Tetragon.Docker.Policy.Model;

public sealed record TracingPolicySpec
{
    public IReadOnlyList<KProbeSpec> KProbes { get; init; } = [];

    public IReadOnlyList<TracepointSpec> Tracepoints { get; init; } = [];

    public IReadOnlyList<UProbeSpec> UProbes { get; init; } = [];

    public IReadOnlyList<LsmHookSpec> LsmHooks { get; init; } = [];

    public bool Loader { get; init; }

    public IReadOnlyList<OptionSpec> Options { get; init; } = [];

    public IReadOnlyList<ListSpec> Lists { get; init; } = [];

    public IReadOnlyList<EnforcerSpec> Enforcers { get; init; } = [];

    public LabelSelector? PodSelector { get; init; }

    public LabelSelector? ContainerSelector { get; init; }
}
