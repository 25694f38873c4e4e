namespace Tetragon.Docker.Policy.Model;

/// <summary>A Tetragon TracingPolicy (or TracingPolicyNamespaced) document, as written.</summary>
public sealed record TracingPolicy
{
    public const string ApiVersionV1Alpha1 = "cilium.io/v1alpha1";
    public const string KindTracingPolicy = "TracingPolicy";
    public const string KindTracingPolicyNamespaced = "TracingPolicyNamespaced";

    public string ApiVersion { get; init; } = ApiVersionV1Alpha1;

    public string Kind { get; init; } = KindTracingPolicy;

    public PolicyMetadata Metadata { get; init; } = new();

    public TracingPolicySpec Spec { get; init; } = new();
}
