using Tetragon.Docker.Policy.Yaml;

namespace Tetragon.Docker.Policy.Parsing;

/// <summary>
/// Reads the fields of one YAML mapping. Opening it reports unknown fields (with a "did you
/// mean" hint), non-string keys and duplicate keys; each accessor records the field's position.
/// </summary>
internal sealed class FieldReader
{
    private readonly ReadContext _context;
    private readonly Dictionary<string, YNode> _values = new(StringComparer.Ordinal);

    public FieldReader(ReadContext context, YMapping mapping, string path, IReadOnlyList<string> knownFields)
    {
        _context = context;
        Path = path;
        Start = mapping.Start;
        foreach (var (keyNode, value) in mapping.Entries)
        {
            if (keyNode is not YScalar { IsNull: false } key)
            {
                context.Errors.Add(path, $"field names must be strings, got {ReadContext.Describe(keyNode)}", keyNode.Start);
                continue;
            }

            var name = key.Value;
            var fieldPath = PolicyPath.Field(path, PolicyPath.SafeKey(name));
            if (!knownFields.Contains(name))
            {
                context.Errors.Add(fieldPath, "unknown field" + Suggest.Hint(name, knownFields), key.Start);
                continue;
            }

            if (!_values.TryAdd(name, value))
            {
                context.Errors.Add(fieldPath, "duplicate field", key.Start);
                continue;
            }

            context.Errors.Mark(fieldPath, value.Start);
        }
    }

    public string Path { get; }

    public SourcePosition Start { get; }

    public bool Has(string field) => _values.ContainsKey(field);

    public string PathOf(string field) => PolicyPath.Field(Path, field);

    /// <summary>The value node, or null (reporting it when required) if the field is absent.</summary>
    public YNode? Node(string field, bool required = false)
    {
        if (_values.TryGetValue(field, out var node))
        {
            return node;
        }

        if (required)
        {
            _context.Errors.Add(PathOf(field), "missing required field", Start);
        }

        return null;
    }

    public string? String(string field, bool required = false) =>
        _context.String(Node(field, required), PathOf(field), required);

    public long? Integer(string field, long min, long max, bool required = false) =>
        _context.Integer(Node(field, required), PathOf(field), min, max, required);

    public int? Int32(string field, int min = 0, int max = int.MaxValue, bool required = false) =>
        (int?)Integer(field, min, max, required);

    public bool Boolean(string field, bool defaultValue = false) =>
        _context.Boolean(Node(field), PathOf(field)) ?? defaultValue;

    public List<string> StringList(string field, int maxItems, bool required = false) =>
        _context.StringList(Node(field, required), PathOf(field), maxItems);

    public List<T> List<T>(string field, int maxItems, Func<YNode, string, T?> readItem, bool required = false)
        where T : class =>
        _context.List(Node(field, required), PathOf(field), maxItems, readItem);

    public Dictionary<string, string> StringMap(string field) =>
        _context.StringMap(Node(field), PathOf(field));

    public FieldReader? Open(string field, IReadOnlyList<string> knownFields, bool required = false) =>
        _context.Open(Node(field, required), PathOf(field), knownFields);
}
