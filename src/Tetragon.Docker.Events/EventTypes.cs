using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events;

/// <summary>Event type helpers: the type of a response and Tetragon's CLI names.</summary>
public static class EventTypes
{
    private static readonly EnumDescriptor Descriptor =
        EventsReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(EventType));

    private static readonly FrozenDictionary<string, EventType> ByName = BuildNames();

    /// <summary>The <see cref="EventType"/> of a response (<see cref="EventType.Undef"/> when it carries no event).</summary>
    public static EventType Of(GetEventsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        // The oneof field numbers are kept in sync with the EventType numbers (as in Tetragon).
        return response.EventCase == GetEventsResponse.EventOneofCase.None
            ? EventType.Undef
            : (EventType)(int)response.EventCase;
    }

    /// <summary>Tetragon's name of an event type, e.g. <c>PROCESS_EXEC</c>.</summary>
    public static string Name(EventType type)
    {
        var value = Descriptor.FindValueByNumber((int)type);
        return value?.Name ?? ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Parses an event type name as the CLI accepts it: <c>PROCESS_EXEC</c>, <c>process_exec</c>
    /// or <c>ProcessExec</c> (case-insensitive).
    /// </summary>
    public static bool TryParse(string? name, out EventType type)
    {
        type = EventType.Undef;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var key = name.Trim().Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        if (ByName.TryGetValue(key, out var found) && found != EventType.Undef)
        {
            type = found;
            return true;
        }

        return false;
    }

    /// <summary>All known event type names (Tetragon's spelling), <c>UNDEF</c> excluded.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Descriptor.Values.Where(v => v.Number != 0).Select(v => v.Name)];

    private static FrozenDictionary<string, EventType> BuildNames()
    {
        var map = new Dictionary<string, EventType>(StringComparer.OrdinalIgnoreCase);
        foreach (EnumValueDescriptor value in Descriptor.Values)
        {
            map[value.Name.Replace("_", string.Empty, StringComparison.Ordinal)] = (EventType)value.Number;
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
