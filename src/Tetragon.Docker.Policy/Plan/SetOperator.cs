namespace Tetragon.Docker.Policy.Plan;

public enum SetOperator
{
    In,
    NotIn,
}
