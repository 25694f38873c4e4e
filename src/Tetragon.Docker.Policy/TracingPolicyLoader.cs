using System.Text;
using Tetragon.Docker.Policy.Compilation;
using Tetragon.Docker.Policy.Parsing;
using Tetragon.Docker.Policy.Yaml;

namespace Tetragon.Docker.Policy;

/// <summary>
/// Loads a TracingPolicy: YAML → model → checks → <see cref="Plan.PolicyPlan"/>. Never throws for
/// any input: every problem, including YAML syntax errors and resource limits, comes back as a
/// <see cref="PolicyError"/> with its field path and, where known, line and column.
/// </summary>
public static class TracingPolicyLoader
{
    /// <param name="yamlText">One YAML document holding one TracingPolicy or TracingPolicyNamespaced.</param>
    /// <param name="sourceName">A file name or other label for messages; may be null.</param>
    public static PolicyLoadResult Load(string yamlText, string? sourceName)
    {
        var errors = new ErrorSink();
        try
        {
            return LoadCore(yamlText, sourceName, errors);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug of ours, not the user's: still an answer, never an escaping exception.
            errors.Add(string.Empty, $"internal error while loading the policy ({ex.GetType().Name}): {ex.Message}", null);
            return PolicyLoadResult.Failed(sourceName, errors.Errors);
        }
    }

    /// <summary>Reads and loads a policy file; I/O problems become errors too.</summary>
    public static PolicyLoadResult LoadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > PolicyLimits.MaxDocumentBytes)
            {
                return PolicyLoadResult.Failed(path, [new PolicyError(PolicyPath.Root, $"file is {info.Length} bytes; the limit is {PolicyLimits.MaxDocumentBytes}", null, null)]);
            }

            return Load(File.ReadAllText(path, Encoding.UTF8), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return PolicyLoadResult.Failed(path, [new PolicyError(PolicyPath.Root, $"cannot read {path}: {ex.Message}", null, null)]);
        }
    }

    private static PolicyLoadResult LoadCore(string? yamlText, string? sourceName, ErrorSink errors)
    {
        if (string.IsNullOrWhiteSpace(yamlText))
        {
            errors.Add(string.Empty, "empty document: expected a TracingPolicy", null);
            return PolicyLoadResult.Failed(sourceName, errors.Errors);
        }

        var bytes = Encoding.UTF8.GetByteCount(yamlText);
        if (bytes > PolicyLimits.MaxDocumentBytes)
        {
            errors.Add(string.Empty, $"document is {bytes} bytes; the limit is {PolicyLimits.MaxDocumentBytes} (1 MiB)", null);
            return PolicyLoadResult.Failed(sourceName, errors.Errors);
        }

        var root = YamlTreeBuilder.Build(yamlText, errors);
        if (root is null)
        {
            if (!errors.HasErrors)
            {
                errors.Add(string.Empty, "empty document: expected a TracingPolicy", new SourcePosition(1, 1));
            }

            return PolicyLoadResult.Failed(sourceName, errors.Errors);
        }

        var policy = new PolicyReader(new ReadContext(errors)).Read(root);
        if (policy is null)
        {
            return PolicyLoadResult.Failed(sourceName, errors.Errors);
        }

        var plan = new PolicyCompiler(errors).Compile(policy);
        return errors.HasErrors
            ? PolicyLoadResult.Failed(sourceName, errors.Errors)
            : PolicyLoadResult.Ok(sourceName, policy, plan);
    }
}
