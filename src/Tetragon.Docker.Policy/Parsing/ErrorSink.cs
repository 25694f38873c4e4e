namespace Tetragon.Docker.Policy.Parsing;

/// <summary>Collects errors for one document and remembers where each field path starts.</summary>
internal sealed class ErrorSink
{
    private readonly List<PolicyError> _errors = [];
    private readonly Dictionary<string, SourcePosition> _positions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private bool _truncated;

    public IReadOnlyList<PolicyError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public int Count => _errors.Count;

    /// <summary>Records the position of the value at <paramref name="path"/> (first one wins).</summary>
    public void Mark(string path, SourcePosition position) => _positions.TryAdd(path, position);

    /// <summary>The position of the path, else of its nearest recorded ancestor.</summary>
    public SourcePosition? Find(string path)
    {
        for (string? p = path; p is not null; p = PolicyPath.Parent(p))
        {
            if (_positions.TryGetValue(p, out var position))
            {
                return position;
            }
        }

        return null;
    }

    public void Add(string path, string message) => Add(path, message, Find(path));

    public void Add(string path, string message, SourcePosition? position)
    {
        var display = PolicyPath.Display(path);
        if (!_seen.Add(display + "\n" + message))
        {
            return;
        }

        if (_errors.Count >= PolicyLimits.MaxErrors)
        {
            if (!_truncated)
            {
                _truncated = true;
                _errors.Add(new PolicyError(PolicyPath.Root, $"too many errors; stopped after {PolicyLimits.MaxErrors}", null, null));
            }

            return;
        }

        _errors.Add(new PolicyError(display, message, position?.Line, position?.Column));
    }
}
