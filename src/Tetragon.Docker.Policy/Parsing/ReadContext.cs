using Tetragon.Docker.Policy.Yaml;

namespace Tetragon.Docker.Policy.Parsing;

/// <summary>State shared while reading one document: errors, positions and a visit budget.</summary>
internal sealed class ReadContext(ErrorSink errors)
{
    private int _visits;
    private bool _exhausted;

    public ErrorSink Errors { get; } = errors;

    /// <summary>Counts one visited node; false once the budget (aliases count per use) is spent.</summary>
    public bool Visit(YNode node, string path)
    {
        if (_exhausted)
        {
            return false;
        }

        if (++_visits <= PolicyLimits.MaxYamlNodes)
        {
            Errors.Mark(path, node.Start);
            return true;
        }

        _exhausted = true;
        Errors.Add(path, $"document expands to more than {PolicyLimits.MaxYamlNodes} nodes (aliases count each use)", node.Start);
        return false;
    }

    /// <summary>Opens a mapping for reading, reporting a wrong node kind; null if it is not a mapping.</summary>
    public FieldReader? Open(YNode? node, string path, IReadOnlyList<string> knownFields)
    {
        if (node is null || !Visit(node, path))
        {
            return null;
        }

        if (node is YMapping mapping)
        {
            return new FieldReader(this, mapping, path, knownFields);
        }

        Errors.Add(path, $"expected a mapping, got {Describe(node)}", node.Start);
        return null;
    }

    /// <summary>Reads a list whose items are read by <paramref name="readItem"/>; a null value is an empty list.</summary>
    public List<T> List<T>(YNode? node, string path, int maxItems, Func<YNode, string, T?> readItem)
        where T : class
    {
        var result = new List<T>();
        if (node is null || !Visit(node, path))
        {
            return result;
        }

        if (node is YScalar { IsNull: true })
        {
            return result;
        }

        if (node is not YSequence sequence)
        {
            Errors.Add(path, $"expected a list, got {Describe(node)}", node.Start);
            return result;
        }

        if (sequence.Items.Count > maxItems)
        {
            Errors.Add(path, $"too many items: {sequence.Items.Count} (limit {maxItems})", node.Start);
        }

        for (var i = 0; i < sequence.Items.Count && i < maxItems; i++)
        {
            var itemPath = PolicyPath.Item(path, i);
            if (readItem(sequence.Items[i], itemPath) is { } item)
            {
                result.Add(item);
            }
        }

        return result;
    }

    /// <summary>Reads a list of strings (scalars); other items are errors.</summary>
    public List<string> StringList(YNode? node, string path, int maxItems) =>
        List(node, path, maxItems, (item, itemPath) => String(item, itemPath, required: true));

    /// <summary>A scalar as a string; null (and an error when required) for YAML null; errors for lists and mappings.</summary>
    public string? String(YNode? node, string path, bool required)
    {
        if (node is null || !Visit(node, path))
        {
            return null;
        }

        switch (node)
        {
            case YScalar { IsNull: true }:
                if (required)
                {
                    Errors.Add(path, "must not be empty", node.Start);
                }

                return null;
            case YScalar scalar:
                return scalar.Value;
            default:
                Errors.Add(path, $"expected a string, got {Describe(node)}", node.Start);
                return null;
        }
    }

    /// <summary>An unquoted integer scalar within [min, max] (decimal, 0x hex or 0o octal).</summary>
    public long? Integer(YNode? node, string path, long min, long max, bool required)
    {
        if (node is null || !Visit(node, path))
        {
            return null;
        }

        if (node is YScalar { IsNull: true })
        {
            if (required)
            {
                Errors.Add(path, "must not be empty", node.Start);
            }

            return null;
        }

        if (node is not YScalar scalar)
        {
            Errors.Add(path, $"expected an integer, got {Describe(node)}", node.Start);
            return null;
        }

        if (!scalar.IsPlain)
        {
            Errors.Add(path, $"expected an integer, got the quoted string {PolicyPath.Quote(scalar.Value)}", node.Start);
            return null;
        }

        if (!Numbers.TryParseSigned(scalar.Value, out var value))
        {
            Errors.Add(path, $"expected an integer, got {PolicyPath.Quote(scalar.Value)}", node.Start);
            return null;
        }

        if (value < min || value > max)
        {
            Errors.Add(path, $"{value} is out of range [{min}, {max}]", node.Start);
            return null;
        }

        return value;
    }

    /// <summary>An unquoted true/false scalar.</summary>
    public bool? Boolean(YNode? node, string path)
    {
        if (node is null || !Visit(node, path))
        {
            return null;
        }

        if (node is YScalar { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
                case "" or "~" or "null" or "Null" or "NULL":
                    return null;
                default:
                    break;
            }
        }

        Errors.Add(path, $"expected true or false, got {Describe(node)}", node.Start);
        return null;
    }

    /// <summary>A mapping of string keys to string values (labels, matchLabels).</summary>
    public Dictionary<string, string> StringMap(YNode? node, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || node is YScalar { IsNull: true } || !Visit(node, path))
        {
            return result;
        }

        if (node is not YMapping mapping)
        {
            Errors.Add(path, $"expected a mapping, got {Describe(node)}", node.Start);
            return result;
        }

        foreach (var (keyNode, valueNode) in mapping.Entries)
        {
            if (keyNode is not YScalar { IsNull: false } key)
            {
                Errors.Add(path, "keys must be strings", keyNode.Start);
                continue;
            }

            var valuePath = PolicyPath.Field(path, PolicyPath.SafeKey(key.Value));
            var value = String(valueNode, valuePath, required: false) ?? string.Empty;
            if (!result.TryAdd(key.Value, value))
            {
                Errors.Add(valuePath, "duplicate key", keyNode.Start);
            }
        }

        return result;
    }

    public static string Describe(YNode node) => node switch
    {
        YScalar { IsNull: true } => "null",
        YScalar scalar => PolicyPath.Quote(scalar.Value),
        _ => "a " + node.KindName,
    };
}
