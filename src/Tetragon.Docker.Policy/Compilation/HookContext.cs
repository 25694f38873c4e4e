using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>What selectors of one hook may refer to, and the requirements they add.</summary>
internal sealed class HookContext(HookKind kind, string path, IReadOnlyDictionary<int, ArgDescriptor> args, bool hasReturn, ArgDescriptor? returnArg)
{
    private readonly List<KernelRequirement> _requirements = [];

    public HookKind Kind { get; } = kind;

    public string Path { get; } = path;

    public IReadOnlyDictionary<int, ArgDescriptor> Args { get; } = args;

    public bool HasReturn { get; } = hasReturn;

    public ArgDescriptor? ReturnArg { get; } = returnArg;

    public IReadOnlyList<KernelRequirement> Requirements => _requirements;

    public void Require(KernelFeature anyOf, string reason)
    {
        if (!_requirements.Any(r => r.AnyOf == anyOf))
        {
            _requirements.Add(new KernelRequirement(anyOf, reason));
        }
    }

    public string HookNoun => Kind switch
    {
        HookKind.Syscall or HookKind.KernelFunction => "kprobes",
        HookKind.Tracepoint => "tracepoints",
        HookKind.Uprobe => "uprobes",
        _ => "lsmhooks",
    };
}
