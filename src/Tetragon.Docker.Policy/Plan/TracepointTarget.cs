namespace Tetragon.Docker.Policy.Plan;

public sealed record TracepointTarget(string Subsystem, string Event, bool Raw) : HookTarget
{
    public override string DisplayName => Subsystem + "/" + Event;
}
