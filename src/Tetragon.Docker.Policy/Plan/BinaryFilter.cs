namespace Tetragon.Docker.Policy.Plan;

public sealed record BinaryFilter(BinaryOperator Operator, IReadOnlyList<string> Values, bool FollowChildren);
