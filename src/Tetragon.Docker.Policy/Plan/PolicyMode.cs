namespace Tetragon.Docker.Policy.Plan;

/// <summary>Tetragon's policy-mode: enforce runs Sigkill, Signal and Override; monitor only reports them.</summary>
public enum PolicyMode
{
    Enforce,
    Monitor,
}
