namespace Tetragon.Docker.Policy.Plan;

/// <summary>A typed matchArgs value.</summary>
public abstract record FilterValue;
