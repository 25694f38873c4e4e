namespace Tetragon.Docker.Policy.Plan;

public sealed record NamespaceChangesFilter(SetOperator Operator, IReadOnlyList<NamespaceType> Namespaces);
