namespace Tetragon.Docker.Policy.Plan;

/// <param name="Index">The argument (args[].index) or 0 for the return value.</param>
public sealed record ArgFilter(int Index, ArgType ArgType, FilterOperator Operator, IReadOnlyList<FilterValue> Values);
