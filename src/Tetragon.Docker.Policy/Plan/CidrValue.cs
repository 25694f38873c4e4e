using System.Net;

namespace Tetragon.Docker.Policy.Plan;

/// <summary>An address or network; a bare address has the full prefix length (/32 or /128).</summary>
public sealed record CidrValue(IPAddress Network, int PrefixLength) : FilterValue
{
    public override string ToString() => $"{Network}/{PrefixLength}";
}
