namespace Tetragon.Docker.Policy.Plan;

/// <param name="Index">Argument position in the function (or tracepoint field).</param>
/// <param name="TypeName">The type as written in the policy.</param>
/// <param name="SizeArgIndex">0-based position of the argument holding the buffer size, if any.</param>
public sealed record ArgDescriptor(int Index, ArgType Type, string TypeName, int? SizeArgIndex, bool ReturnCopy, bool MaxData, string? Label);
