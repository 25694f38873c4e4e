using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Export;

/// <summary>A consumer of the event bus. The event thread calls every member; each sink bounds its own queue.</summary>
internal interface IEventSink
{
    /// <summary>The agent-wide counter this sink's drops add to.</summary>
    string DropCounter { get; }

    /// <summary>False when the sink's queue was full and the event was dropped.</summary>
    bool TryDeliver(GetEventsResponse response);

    /// <summary>The end of a batch: hand over what was delivered since, with one wake-up (a sink may hold it a few ms for more).</summary>
    void Release();

    /// <summary>Shutdown, after the event thread stopped: release the rest and let the consumer finish.</summary>
    void Complete();
}
