using System.Globalization;
using Docker.DotNet.Models;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>Engine API Inspect → <see cref="ContainerInfo"/> (the fields of Tetragon's Container message).</summary>
internal static class ContainerInfoMapper
{
    public static ContainerInfo FromInspect(ContainerInspectResponse r)
    {
        DateTimeOffset? started = null;
        if (r.State?.Running == true && DateTimeOffset.TryParse(r.State.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year > 1)
        {
            started = at;
        }

        uint? pid = r.State is { Pid: > 0 and <= uint.MaxValue } state ? (uint)state.Pid : null;
        return new ContainerInfo(
            r.ID,
            (r.Name ?? "").TrimStart('/'),
            r.Config?.Image ?? "",
            r.Image ?? "",
            r.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            started,
            pid,
            r.HostConfig?.Privileged == true);
    }

    public static ContainerEvent? FromMessage(Message m)
    {
        var id = m.Actor?.ID ?? m.ID;
        if (m.Type != "container" || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(m.Action))
        {
            return null;
        }

        string? name = null;
        m.Actor?.Attributes?.TryGetValue("name", out name);
        return new ContainerEvent(m.Action, id, name);
    }
}
