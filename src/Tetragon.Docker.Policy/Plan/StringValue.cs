namespace Tetragon.Docker.Policy.Plan;

/// <summary>A string compared as bytes (paths, buffers); <see cref="Utf8"/> is what the kernel sees.</summary>
public sealed record StringValue(string Text, ReadOnlyMemory<byte> Utf8) : FilterValue
{
    public bool Equals(StringValue? other) => other is not null && Text == other.Text;

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}
