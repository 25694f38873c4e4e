namespace Tetragon.Docker.Agent.Docker;

/// <summary>
/// Docker.DotNet reports /events through <see cref="IProgress{T}"/>; unlike <see cref="Progress{T}"/>
/// this hands each message on synchronously, in order.
/// </summary>
internal sealed class ChannelProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
