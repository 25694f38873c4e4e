namespace Tetragon.Docker.Policy.Plan;

public sealed record PidFilter(SetOperator Operator, IReadOnlyList<uint> Pids, bool FollowForks, bool IsNamespacePid);
