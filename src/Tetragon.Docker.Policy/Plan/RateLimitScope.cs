namespace Tetragon.Docker.Policy.Plan;

public enum RateLimitScope
{
    Thread,
    Process,
    Global,
}
