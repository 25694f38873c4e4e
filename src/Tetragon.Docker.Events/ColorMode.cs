namespace Tetragon.Docker.Events;

/// <summary>When compact output uses ANSI colors (<c>--color auto|always|never</c>).</summary>
public enum ColorMode
{
    /// <summary>Color when stdout is a terminal and NO_COLOR is not set.</summary>
    Auto,

    /// <summary>Always color.</summary>
    Always,

    /// <summary>Never color.</summary>
    Never,
}
