using System.Collections.Frozen;
using System.Globalization;

namespace Tetragon.Docker.Policy.Linux;

/// <summary>Linux capability names and numbers (include/uapi/linux/capability.h).</summary>
public static class CapabilityTable
{
    private static readonly string[] NamesByNumber =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly FrozenDictionary<string, int> ByName =
        NamesByNumber.Select((name, number) => (name, number)).ToFrozenDictionary(p => p.name, p => p.number, StringComparer.Ordinal);

    public const int MaxCapability = 40;

    public static IEnumerable<string> Names => NamesByNumber;

    /// <summary>Accepts <c>CAP_SYS_ADMIN</c>, <c>SYS_ADMIN</c> (any case) or a number 0..40.</summary>
    public static bool TryParse(string text, out int number)
    {
        number = 0;
        var s = text.Trim();
        if (s.Length is 0 or > 40)
        {
            return false;
        }

        if (s.All(char.IsAsciiDigit))
        {
            return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number <= MaxCapability;
        }

        var upper = s.ToUpperInvariant();
        return ByName.TryGetValue(upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper, out number);
    }

    public static string NameOf(int number) => number is >= 0 and <= MaxCapability ? NamesByNumber[number] : "CAP_" + number.ToString(CultureInfo.InvariantCulture);
}
