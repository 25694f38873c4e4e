namespace Tetragon.Docker.Policy.Plan;

/// <summary>A value for an <c>auto</c>-typed argument, interpreted once the type is known from BTF.</summary>
public sealed record RawValue(string Text) : FilterValue;
