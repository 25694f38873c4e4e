namespace Tetragon.Docker.Policy.Plan;

public enum PolicyScope
{
    /// <summary>kind: TracingPolicy.</summary>
    Cluster,

    /// <summary>kind: TracingPolicyNamespaced.</summary>
    Namespaced,
}
