using Tetragon.Docker.Policy.Parsing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tetragon.Docker.Policy.Yaml;

/// <summary>
/// Builds a small node tree from YamlDotNet's event parser, iteratively (no recursion), with
/// limits on depth, node count and list length. Anchors are registered when their node is
/// complete, so an alias can never make a cycle. Every parser failure becomes an error at the
/// path being parsed.
/// </summary>
internal static class YamlTreeBuilder
{
    public static YNode? Build(string text, ErrorSink errors)
    {
        var stack = new List<Frame>();
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        YNode? root = null;
        var documents = 0;
        var nodes = 0;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current;
                switch (current)
                {
                    case DocumentStart:
                        documents++;
                        if (documents > 1)
                        {
                            errors.Add(string.Empty, "more than one YAML document: put one TracingPolicy in each file", Position(current.Start));
                            return null;
                        }

                        break;
                    case Scalar scalar:
                        {
                            if (!Count(ref nodes, stack, current, errors))
                            {
                                return null;
                            }

                            var isPlain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                            var node = new YScalar(Position(current.Start), scalar.Value, isPlain);
                            if (!Attach(node, stack, ref root, errors))
                            {
                                return null;
                            }

                            if (!scalar.Anchor.IsEmpty)
                            {
                                anchors[scalar.Anchor.Value] = node;
                            }

                            break;
                        }

                    case AnchorAlias alias:
                        {
                            if (!Count(ref nodes, stack, current, errors))
                            {
                                return null;
                            }

                            if (!anchors.TryGetValue(alias.Value.Value, out var target))
                            {
                                errors.Add(PathOf(stack), $"unknown alias *{PolicyPath.SafeKey(alias.Value.Value)}", Position(current.Start));
                                return null;
                            }

                            if (!Attach(target, stack, ref root, errors))
                            {
                                return null;
                            }

                            break;
                        }

                    case MappingStart mappingStart:
                        {
                            if (!Count(ref nodes, stack, current, errors) || !Deeper(stack, current, errors))
                            {
                                return null;
                            }

                            var node = new YMapping(Position(current.Start));
                            if (!Attach(node, stack, ref root, errors))
                            {
                                return null;
                            }

                            stack.Add(new Frame(node, mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value));
                            break;
                        }

                    case SequenceStart sequenceStart:
                        {
                            if (!Count(ref nodes, stack, current, errors) || !Deeper(stack, current, errors))
                            {
                                return null;
                            }

                            var node = new YSequence(Position(current.Start));
                            if (!Attach(node, stack, ref root, errors))
                            {
                                return null;
                            }

                            stack.Add(new Frame(node, sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value));
                            break;
                        }

                    case MappingEnd:
                    case SequenceEnd:
                        {
                            var frame = stack[^1];
                            stack.RemoveAt(stack.Count - 1);
                            if (frame.Anchor is not null)
                            {
                                anchors[frame.Anchor] = frame.Node;
                            }

                            break;
                        }

                    default:
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            // Some scanner errors carry an empty start mark; their end mark is then the better place.
            var mark = ex.Start.Index == 0 && ex.End.Index > 0 ? ex.End : ex.Start;
            errors.Add(PathOf(stack), CleanMessage(ex.Message), Position(mark));
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException or NotSupportedException)
        {
            errors.Add(PathOf(stack), "cannot parse YAML: " + CleanMessage(ex.Message), null);
            return null;
        }

        return root;
    }

    private static bool Count(ref int nodes, List<Frame> stack, ParsingEvent current, ErrorSink errors)
    {
        if (++nodes <= PolicyLimits.MaxYamlNodes)
        {
            return true;
        }

        errors.Add(PathOf(stack), $"document has more than {PolicyLimits.MaxYamlNodes} YAML nodes", Position(current.Start));
        return false;
    }

    private static bool Deeper(List<Frame> stack, ParsingEvent current, ErrorSink errors)
    {
        if (stack.Count < PolicyLimits.MaxYamlDepth)
        {
            return true;
        }

        errors.Add(PathOf(stack), $"YAML nested deeper than {PolicyLimits.MaxYamlDepth} levels", Position(current.Start));
        return false;
    }

    private static bool Attach(YNode node, List<Frame> stack, ref YNode? root, ErrorSink errors)
    {
        if (stack.Count == 0)
        {
            root ??= node;
            return true;
        }

        var frame = stack[^1];
        switch (frame.Node)
        {
            case YMapping when frame.PendingKey is null:
                frame.PendingKey = node;
                frame.LastKey = node;
                return true;
            case YMapping mapping:
                mapping.Entries.Add(new KeyValuePair<YNode, YNode>(frame.PendingKey!, node));
                frame.PendingKey = null;
                return true;
            case YSequence sequence:
                if (sequence.Items.Count >= PolicyLimits.MaxSequenceItems)
                {
                    errors.Add(PathOf(stack), $"list has more than {PolicyLimits.MaxSequenceItems} items", node.Start);
                    return false;
                }

                sequence.Items.Add(node);
                return true;
            default:
                return true;
        }
    }

    /// <summary>The field path of the innermost node being parsed.</summary>
    private static string PathOf(List<Frame> stack)
    {
        var path = string.Empty;
        for (var i = 0; i < stack.Count; i++)
        {
            var frame = stack[i];
            var isTop = i == stack.Count - 1;
            switch (frame.Node)
            {
                case YMapping when frame.LastKey is YScalar key:
                    path = PolicyPath.Field(path, PolicyPath.SafeKey(key.Value));
                    break;
                case YSequence sequence:
                    var index = isTop ? sequence.Items.Count : sequence.Items.Count - 1;
                    path = PolicyPath.Item(path, Math.Max(index, 0));
                    break;
                default:
                    break;
            }
        }

        return path;
    }

    private static SourcePosition Position(Mark mark) =>
        new((int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    /// <summary>YamlDotNet prefixes messages with "(Line: .., Col: .., Idx: ..) - (...): "; drop that.</summary>
    private static string CleanMessage(string message)
    {
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
        text = text.Trim().TrimEnd('.');
        if (text.Length == 0)
        {
            return "invalid YAML";
        }

        return "invalid YAML: " + char.ToLowerInvariant(text[0]) + text[1..];
    }

    private sealed class Frame(YNode node, string? anchor)
    {
        public YNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public YNode? PendingKey { get; set; }

        public YNode? LastKey { get; set; }
    }
}
