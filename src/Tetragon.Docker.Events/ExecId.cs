using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Tetragon.Docker.Events;

/// <summary>
/// Tetragon's exec ID: base64 of <c>"&lt;node&gt;:&lt;ktime ns&gt;:&lt;pid&gt;"</c>.
/// </summary>
public static class ExecId
{
    /// <summary>Creates the exec ID of the process <paramref name="pid"/> started at <paramref name="ktimeNs"/>.</summary>
    public static string Create(string node, ulong ktimeNs, uint pid)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Create(NodePrefix(node), ktimeNs, pid);
    }

    /// <summary>The node's part of its exec IDs, <c>"&lt;node&gt;:"</c> in UTF-8: encoded once per node, not per process.</summary>
    public static byte[] NodePrefix(string node) => Encoding.UTF8.GetBytes(node + ":");

    /// <summary>
    /// <see cref="Create(string, ulong, uint)"/> from the node's <see cref="NodePrefix"/>: the ID is the
    /// only allocation (the agent makes one per exec and per fork).
    /// </summary>
    public static string Create(ReadOnlySpan<byte> nodePrefix, ulong ktimeNs, uint pid)
    {
        const int Numbers = 20 + 1 + 10; // ulong, ':', uint
        var length = nodePrefix.Length + Numbers;
        Span<byte> text = length <= 256 ? stackalloc byte[length] : new byte[length];
        nodePrefix.CopyTo(text);
        var written = nodePrefix.Length;
        Utf8Formatter.TryFormat(ktimeNs, text[written..], out var n);
        written += n;
        text[written++] = (byte)':';
        Utf8Formatter.TryFormat(pid, text[written..], out n);
        return Convert.ToBase64String(text[..(written + n)]);
    }

    /// <summary>Parses an exec ID made by <see cref="Create"/> (or by Tetragon).</summary>
    public static bool TryParse(string? execId, out string node, out ulong ktimeNs, out uint pid)
    {
        node = string.Empty;
        ktimeNs = 0;
        pid = 0;
        if (string.IsNullOrEmpty(execId) || !Base64.IsValid(execId))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(execId));
        }
        catch (FormatException)
        {
            return false;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var last = text.LastIndexOf(':');
        if (last <= 0)
        {
            return false;
        }

        var middle = text.LastIndexOf(':', last - 1);
        if (middle < 0)
        {
            return false;
        }

        if (!ulong.TryParse(text.AsSpan(middle + 1, last - middle - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || !uint.TryParse(text.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
        {
            return false;
        }

        node = text[..middle];
        ktimeNs = k;
        pid = p;
        return true;
    }
}
