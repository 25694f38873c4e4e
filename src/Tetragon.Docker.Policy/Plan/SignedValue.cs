namespace Tetragon.Docker.Policy.Plan;

public sealed record SignedValue(long Value) : FilterValue;
