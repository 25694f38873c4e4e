using Google.Protobuf;
using Google.Protobuf.Reflection;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>
/// Tetragon's field filters (<c>--field-filters</c>, <c>GetEventsRequest.field_filters</c>,
/// <c>tetra getevents --include-fields/--exclude-fields</c>): paths inside the event (e.g.
/// <c>process.binary</c> of a process_exec) that an INCLUDE filter keeps alone or an EXCLUDE
/// filter removes, for the event types of its <c>event_set</c> (all when empty; the others when
/// <c>invert_event_set</c>). Filters apply in order; <c>node_name</c> and <c>time</c> stay.
/// Events are shared, so a filtered event is a copy. Immutable and thread-safe.
/// </summary>
public sealed class FieldFilters
{
    private readonly Compiled[] filters;

    private FieldFilters(Compiled[] filters) => this.filters = filters;

    public static FieldFilters None { get; } = new([]);

    public bool IsEmpty => filters.Length == 0;

    /// <summary>
    /// Tetragon's text form: FieldFilter objects one after another, their <c>fields</c> a
    /// comma-separated string of paths in the proto's own (snake_case) names, as Tetragon's
    /// documentation writes them: <c>{"fields":"process.exec_id,process.parent_exec_id","action":"INCLUDE"}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The message names the flag, the filter and what is wrong.</exception>
    public static FieldFilters Parse(string text, string flag) => Compile(ParseList(text, flag), flag);

    /// <summary>The FieldFilter objects of <paramref name="text"/>, not yet checked against the event types.</summary>
    /// <exception cref="ArgumentException">The text is not such a list.</exception>
    public static IReadOnlyList<FieldFilter> ParseList(string text, string flag) => FilterList.Parse<FieldFilter>(text, flag, CamelCaseFields);

    /// <summary>The JSON form of a FieldMask is lowerCamelCase (protobuf's parser refuses "exec_id"): convert, whichever was written.</summary>
    private static string CamelCaseFields(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json);
        if (node is System.Text.Json.Nodes.JsonObject o && o["fields"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var fields))
        {
            o["fields"] = string.Join(',', fields.Split(',').Select(p => string.Join('.', p.Trim().Split('.').Select(LowerCamel))));
            return o.ToJsonString();
        }

        return json;
    }

    private static string LowerCamel(string name)
    {
        var parts = name.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <exception cref="ArgumentException">A path names no field of the events it applies to; the message names the filter and the path.</exception>
    public static FieldFilters Compile(IEnumerable<FieldFilter> filters, string place = "field_filters")
    {
        var compiled = new List<Compiled>();
        foreach (var (f, i) in filters.Select((f, i) => (f, i)))
        {
            var types = f.EventSet.ToHashSet();
            var invert = f.InvertEventSet ?? false;
            var events = GetEventsResponse.Descriptor.Oneofs[0].Fields
                .Where(e => e.FieldType == FieldType.Message && (types.Count == 0 || types.Contains((EventType)e.FieldNumber) != invert)) // oneof numbers are the EventType numbers
                .ToList();
            var paths = f.Fields?.Paths.Where(p => p.Length > 0).ToList() ?? [];
            if (paths.Count == 0)
            {
                throw new ArgumentException($"{place}[{i}].fields: no field named");
            }

            foreach (var path in paths)
            {
                if (!events.Any(e => Resolves(e.MessageType, path.Split('.'))))
                {
                    throw new ArgumentException($"{place}[{i}].fields: \"{path}\" is not a field of {Names(events)}");
                }
            }

            compiled.Add(new Compiled(events.Select(e => e.FieldNumber).ToHashSet(), PathTree.Of(paths), f.Action == FieldFilterAction.Include));
        }

        return new FieldFilters([.. compiled]);
    }

    /// <summary>The event as the filters leave it: <paramref name="response"/> itself when none applies, else a filtered copy.</summary>
    public GetEventsResponse Apply(GetEventsResponse response)
    {
        var copy = response;
        foreach (var filter in filters)
        {
            if (!filter.EventFields.Contains((int)response.EventCase))
            {
                continue;
            }

            if (ReferenceEquals(copy, response))
            {
                copy = response.Clone();
            }

            var inner = (IMessage)GetEventsResponse.Descriptor.FindFieldByNumber((int)response.EventCase).Accessor.GetValue(copy);
            if (filter.Include)
            {
                Keep(inner, filter.Paths);
            }
            else
            {
                Remove(inner, filter.Paths);
            }
        }

        return copy;
    }

    /// <summary>Clears every field outside the tree; inside it, keeps leaves whole and descends into branches.</summary>
    private static void Keep(IMessage message, PathTree tree)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (!tree.Children.TryGetValue(field.Name, out var child))
            {
                field.Accessor.Clear(message);
            }
            else if (!child.Whole)
            {
                ForEachMessage(message, field, m => Keep(m, child));
            }
        }
    }

    private static void Remove(IMessage message, PathTree tree)
    {
        foreach (var (name, child) in tree.Children)
        {
            var field = message.Descriptor.FindFieldByName(name);
            if (field is null)
            {
                continue; // a path of another event type
            }

            if (child.Whole)
            {
                field.Accessor.Clear(message);
            }
            else
            {
                ForEachMessage(message, field, m => Remove(m, child));
            }
        }
    }

    /// <summary>The message a field holds, or each message of a repeated field (e.g. every argument).</summary>
    private static void ForEachMessage(IMessage message, FieldDescriptor field, Action<IMessage> action)
    {
        if (field.FieldType != FieldType.Message || field.IsMap)
        {
            return;
        }

        var value = field.Accessor.GetValue(message);
        if (field.IsRepeated)
        {
            foreach (var item in (System.Collections.IEnumerable)value)
            {
                action((IMessage)item);
            }
        }
        else if (value is IMessage m)
        {
            action(m);
        }
    }

    private static bool Resolves(MessageDescriptor message, string[] path)
    {
        var field = message.FindFieldByName(path[0]);
        if (field is null)
        {
            return false;
        }

        return path.Length == 1 || (field.FieldType == FieldType.Message && !field.IsMap && Resolves(field.MessageType, path[1..]));
    }

    private static string Names(List<FieldDescriptor> events) =>
        events.Count == 0 ? "any event type (the event set leaves none)" : string.Join(", ", events.Select(e => e.Name));

    private sealed record Compiled(HashSet<int> EventFields, PathTree Paths, bool Include);

    private sealed class PathTree
    {
        public Dictionary<string, PathTree> Children { get; } = new(StringComparer.Ordinal);

        /// <summary>A path ends here: the field as a whole (process, even beside process.binary).</summary>
        public bool Whole { get; private set; }

        public static PathTree Of(IEnumerable<string> paths)
        {
            var root = new PathTree();
            foreach (var path in paths)
            {
                var node = root;
                foreach (var part in path.Split('.'))
                {
                    if (!node.Children.TryGetValue(part, out var next))
                    {
                        next = new PathTree();
                        node.Children[part] = next;
                    }

                    node = next;
                }

                node.Whole = true;
            }

            return root;
        }
    }
}
