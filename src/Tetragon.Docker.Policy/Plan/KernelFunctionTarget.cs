namespace Tetragon.Docker.Policy.Plan;

public sealed record KernelFunctionTarget(string Symbol) : HookTarget
{
    public override string DisplayName => Symbol;
}
