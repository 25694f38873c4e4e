namespace Tetragon.Docker.Policy.Plan;

/// <param name="Inodes">Namespace inode numbers to match.</param>
/// <param name="HostNamespace">True when <c>host_ns</c> was listed (the agent resolves it).</param>
public sealed record NamespaceFilter(NamespaceType Namespace, SetOperator Operator, IReadOnlyList<ulong> Inodes, bool HostNamespace);
