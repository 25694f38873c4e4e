namespace Tetragon.Docker.Policy.Plan;

public enum CapabilitySet
{
    Effective,
    Inheritable,
    Permitted,
}
