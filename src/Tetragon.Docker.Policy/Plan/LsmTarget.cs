namespace Tetragon.Docker.Policy.Plan;

public sealed record LsmTarget(string Hook) : HookTarget
{
    public override string DisplayName => "security_" + Hook;
}
