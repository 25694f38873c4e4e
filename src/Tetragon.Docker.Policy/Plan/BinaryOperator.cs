namespace Tetragon.Docker.Policy.Plan;

public enum BinaryOperator
{
    In,
    NotIn,
    Prefix,
    NotPrefix,
    Postfix,
    NotPostfix,
}
