namespace Tetragon.Docker.Events;

/// <summary>Options of <see cref="CompactEventEncoder"/>.</summary>
/// <param name="Color">Wrap the parts of a line in ANSI colors (resolve <see cref="ColorMode.Auto"/> before).</param>
/// <param name="Timestamps">Prefix each line with the event time (RFC 3339, nanoseconds, UTC).</param>
public sealed record CompactEncoderOptions(bool Color = false, bool Timestamps = false);
