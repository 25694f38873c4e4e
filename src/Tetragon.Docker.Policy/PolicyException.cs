namespace Tetragon.Docker.Policy;

/// <summary>Thrown by <see cref="PolicyLoadResult.EnsureSuccess"/> when a policy was rejected.</summary>
public sealed class PolicyException : Exception
{
    public PolicyException(string? sourceName, IReadOnlyList<PolicyError> errors)
        : base(Format(sourceName, errors))
    {
        SourceName = sourceName;
        Errors = errors;
    }

    public string? SourceName { get; }

    public IReadOnlyList<PolicyError> Errors { get; }

    private static string Format(string? sourceName, IReadOnlyList<PolicyError> errors)
    {
        var head = sourceName is null ? "invalid TracingPolicy" : $"invalid TracingPolicy {sourceName}";
        return errors.Count == 0
            ? head
            : head + ":" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
