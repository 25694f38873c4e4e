namespace Tetragon.Docker.Policy;

/// <summary>
/// Limits applied while loading a policy. Those marked "Tetragon" are Tetragon's own limits;
/// the others bound the work the loader does for one document.
/// </summary>
public static class PolicyLimits
{
    /// <summary>Largest accepted document, in UTF-8 bytes (1 MiB).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Deepest accepted YAML nesting (a policy needs about 10).</summary>
    public const int MaxYamlDepth = 32;

    /// <summary>Most YAML nodes in one document, and most nodes the reader visits (aliases count each use).</summary>
    public const int MaxYamlNodes = 200_000;

    /// <summary>Most items in any one YAML sequence.</summary>
    public const int MaxSequenceItems = 10_000;

    /// <summary>Most errors reported for one document.</summary>
    public const int MaxErrors = 100;

    /// <summary>Tetragon: selectors per hook.</summary>
    public const int MaxSelectorsPerHook = 5;

    /// <summary>Tetragon: arguments a kprobe, uprobe or LSM hook can read (indexes 0..4).</summary>
    public const int MaxHookArgs = 5;

    /// <summary>Arguments a tracepoint can read (its format fields).</summary>
    public const int MaxTracepointArgIndex = 63;

    /// <summary>Tetragon: filters in one matchArgs / matchReturnArgs list.</summary>
    public const int MaxMatchArgsPerSelector = 5;

    /// <summary>Tetragon: matchBinaries entries per selector.</summary>
    public const int MaxMatchBinariesPerSelector = 1;

    /// <summary>Values in one matchArgs filter (InMap / NotInMap may have more).</summary>
    public const int MaxMatchArgValues = 256;

    /// <summary>Values in one InMap / NotInMap filter.</summary>
    public const int MaxMapValues = 4096;

    /// <summary>Values in one matchBinaries entry.</summary>
    public const int MaxBinaryValues = 256;

    /// <summary>PIDs in one matchPIDs entry.</summary>
    public const int MaxPidValues = 64;

    /// <summary>Values in matchNamespaces / matchCapabilities / change selectors.</summary>
    public const int MaxSetValues = 64;

    /// <summary>Actions in one matchActions / matchReturnActions list.</summary>
    public const int MaxActionsPerSelector = 8;

    /// <summary>Tetragon: bytes in a string value compared with Equal / NotEqual.</summary>
    public const int MaxStringValueBytes = 4096;

    /// <summary>Tetragon: bytes in a Prefix / NotPrefix value.</summary>
    public const int MaxPrefixBytes = 256;

    /// <summary>Tetragon: bytes in a Postfix / NotPostfix value.</summary>
    public const int MaxPostfixBytes = 128;

    /// <summary>Tetragon: tags per hook.</summary>
    public const int MaxTags = 16;

    /// <summary>Tetragon: characters in a hook message.</summary>
    public const int MaxMessageLength = 256;

    /// <summary>Hooks in one policy (kprobes + tracepoints + uprobes + lsmhooks, after list expansion).</summary>
    public const int MaxHooks = 512;
}
