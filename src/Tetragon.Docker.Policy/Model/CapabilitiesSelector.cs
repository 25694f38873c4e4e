namespace Tetragon.Docker.Policy.Model;

public sealed record CapabilitiesSelector
{
    /// <summary>Effective (default), Inheritable or Permitted.</summary>
    public string Type { get; init; } = "Effective";

    public string Operator { get; init; } = string.Empty;

    public bool IsNamespaceCapability { get; init; }

    /// <summary>Capability names such as <c>CAP_SYS_ADMIN</c>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
}
