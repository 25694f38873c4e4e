using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The exporter's JSON encoder: byte-for-byte what <see cref="JsonEventEncoder"/> writes, but
/// each Process message is formatted once and reused: a parent appears in every child's
/// events, and a process in both its exec and its exit. Process messages are never
/// mutated after they are published, so the cached text stays true.
/// </summary>
internal sealed class ExportJsonEncoder
{
    private readonly JsonFormatter formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private readonly JsonEventEncoder fallback = new();
    private readonly ConditionalWeakTable<Api.Process, string> processJson = [];
    private readonly ProcessJsonWriter processWriter;
    private string? nodeName;
    private string nodeNameJson = "";

    public ExportJsonEncoder()
    {
        processWriter = new ProcessJsonWriter(formatter);
    }

    public void Write(GetEventsResponse response, TextWriter writer)
    {
        switch (response.EventCase)
        {
            case GetEventsResponse.EventOneofCase.ProcessExec when response.ProcessExec.Ancestors.Count == 0:
                var exec = response.ProcessExec;
                writer.Write("{ \"process_exec\": { ");
                var first = WriteProcessField(writer, "process", exec.Process, first: true);
                WriteProcessField(writer, "parent", exec.Parent, first);
                writer.Write(" }");
                break;
            case GetEventsResponse.EventOneofCase.ProcessExit when response.ProcessExit.Ancestors.Count == 0:
                var exit = response.ProcessExit;
                writer.Write("{ \"process_exit\": { ");
                var next = WriteProcessField(writer, "process", exit.Process, first: true);
                next = WriteProcessField(writer, "parent", exit.Parent, next);
                if (exit.Signal.Length > 0)
                {
                    writer.Write(next ? "\"signal\": " : ", \"signal\": ");
                    writer.Write(formatter.Format(new StringValue { Value = exit.Signal }));
                    next = false;
                }

                if (exit.Status != 0)
                {
                    writer.Write(next ? "\"status\": " : ", \"status\": ");
                    writer.Write(exit.Status);
                    next = false;
                }

                if (exit.Time is not null)
                {
                    writer.Write(next ? "\"time\": " : ", \"time\": ");
                    writer.Write(formatter.Format(exit.Time));
                }

                writer.Write(" }");
                break;
            default:
                fallback.Write(response, writer);
                return;
        }

        if (response.NodeName.Length > 0)
        {
            writer.Write(", \"node_name\": ");
            writer.Write(NodeNameJson(response.NodeName));
        }

        if (response.Time is not null)
        {
            writer.Write(", \"time\": ");
            writer.Write(formatter.Format(response.Time));
        }

        writer.Write(" }\n");
    }

    /// <summary>Writes `"name": {...}`; returns whether nothing has been written yet.</summary>
    private bool WriteProcessField(TextWriter writer, string name, Api.Process? process, bool first)
    {
        if (process is null)
        {
            return first;
        }

        if (!first)
        {
            writer.Write(", ");
        }

        writer.Write('"');
        writer.Write(name);
        writer.Write("\": ");
        writer.Write(processJson.GetValue(process, processWriter.Format));
        return false;
    }

    private string NodeNameJson(string name)
    {
        if (name != nodeName)
        {
            nodeName = name;
            nodeNameJson = formatter.Format(new StringValue { Value = name });
        }

        return nodeNameJson;
    }
}
