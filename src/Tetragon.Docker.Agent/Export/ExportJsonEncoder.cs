using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// The exporter's JSON encoder: byte-for-byte what <see cref="JsonEventEncoder"/> writes, but
/// each Process message is formatted once and reused: a parent appears in every child's
/// events, and a process in both its exec and its exit. Process messages are never
/// mutated after they are published, so the cached text stays true. Exec, exit and the
/// generic events (process_kprobe / _tracepoint / _uprobe) are written by hand in
/// JsonFormatter's field order and spacing; any shape we do not write goes to JsonFormatter.
/// </summary>
internal sealed partial class ExportJsonEncoder
{
    private readonly JsonFormatter formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private readonly JsonEventEncoder fallback = new();
    private Dictionary<Api.Process, ProcessText> processJson = new(ReferenceEqualityComparer.Instance);
    private Dictionary<Api.Process, ProcessText> olderProcessJson = new(ReferenceEqualityComparer.Instance);
    private readonly ProcessJsonWriter processWriter;
    private readonly Utf8LineWriter processScratch = new();
    private readonly KprobeArgumentJsonWriter argWriter;
    private readonly TimestampJsonWriter timeWriter;
    private readonly Action<TextWriter, string> writeString;

    /// <summary>Processes whose text a generation keeps: two generations bound the cache, and a live one is carried over.</summary>
    internal const int ProcessTextGeneration = 1024;
    private const int RecentSlots = 64;
    private readonly Api.Process?[] recentProcess = new Api.Process?[RecentSlots];
    private readonly ProcessText?[] recentText = new ProcessText?[RecentSlots];
    private string? nodeName;
    private string nodeNameJson = "";
    private byte[] nodeNameUtf8 = [];

    public ExportJsonEncoder()
    {
        processWriter = new ProcessJsonWriter(formatter);
        writeString = processWriter.WriteString;
        argWriter = new KprobeArgumentJsonWriter(formatter, writeString);
        timeWriter = new TimestampJsonWriter(formatter);
    }

    public void Write(GetEventsResponse response, TextWriter writer)
    {
        if (response.AggregationInfo is not null || response.ClusterName.Length > 0 || response.NodeLabels.Count > 0)
        {
            fallback.Write(response, writer); // fields after time: not written by hand
            return;
        }

        switch (response.EventCase)
        {
            case GetEventsResponse.EventOneofCase.ProcessExec:
                var exec = response.ProcessExec;
                writer.Write("{ \"process_exec\": ");
                var first = WriteProcessField(writer, "process", exec.Process, first: true);
                first = WriteProcessField(writer, "parent", exec.Parent, first);
                first = Ancestors(writer, exec.Ancestors, first);
                writer.Write(first ? "{ }" : " }");
                break;
            case GetEventsResponse.EventOneofCase.ProcessExit:
                WriteExit(writer, response.ProcessExit);
                break;
            case GetEventsResponse.EventOneofCase.ProcessKprobe when IsPlain(response.ProcessKprobe):
                WriteKprobe(writer, response.ProcessKprobe);
                break;
            case GetEventsResponse.EventOneofCase.ProcessTracepoint when response.ProcessTracepoint.Ancestors.Count == 0:
                WriteTracepoint(writer, response.ProcessTracepoint);
                break;
            case GetEventsResponse.EventOneofCase.ProcessUprobe when IsPlain(response.ProcessUprobe):
                WriteUprobe(writer, response.ProcessUprobe);
                break;
            case GetEventsResponse.EventOneofCase.RateLimitInfo:
                // Field 40001 would follow node_name and time in field-number order; Tetragon writes the event first.
                writer.Write("{ \"rate_limit_info\": ");
                writer.Write(formatter.Format(response.RateLimitInfo));
                break;
            default:
                fallback.Write(response, writer);
                return;
        }

        if (response.NodeName.Length > 0)
        {
            writer.Write(", \"node_name\": ");
            WriteNodeName(writer, response.NodeName);
        }

        if (response.Time is not null)
        {
            writer.Write(", \"time\": ");
            timeWriter.Write(writer, response.Time);
        }

        writer.Write(" }\n");
    }

    private static bool IsPlain(ProcessKprobe k) =>
        k.KernelStackTrace.Count == 0 && k.UserStackTrace.Count == 0 && k.Ancestors.Count == 0 && k.Data.Count == 0;

    private static bool IsPlain(ProcessUprobe u) =>
        u.Ancestors.Count == 0 && u.Data.Count == 0 && u.UserStackTrace.Count == 0;

    private void WriteExit(TextWriter writer, ProcessExit exit)
    {
        writer.Write("{ \"process_exit\": ");
        var first = WriteProcessField(writer, "process", exit.Process, first: true);
        first = WriteProcessField(writer, "parent", exit.Parent, first);
        first = String(writer, "signal", exit.Signal, first);
        if (exit.Status != 0)
        {
            Name(writer, "status", first);
            writer.Write(exit.Status);
            first = false;
        }

        if (exit.Time is not null)
        {
            Name(writer, "time", first);
            timeWriter.Write(writer, exit.Time);
            first = false;
        }

        first = Ancestors(writer, exit.Ancestors, first);

        writer.Write(first ? "{ }" : " }");
    }

    // Field number order of tetragon.proto's ProcessKprobe: process 1, parent 2, function_name 3,
    // args 4, return 5, action 6, (kernel_stack_trace 7), policy_name 8, return_action 9,
    // message 10, tags 11 (user_stack_trace 12, ancestors 13, data 14: IsPlain).
    private void WriteKprobe(TextWriter writer, ProcessKprobe k)
    {
        writer.Write("{ \"process_kprobe\": ");
        var first = WriteProcessField(writer, "process", k.Process, first: true);
        first = WriteProcessField(writer, "parent", k.Parent, first);
        first = KprobeHead(writer, k, first);
        first = Args(writer, k.Args, first);
        if (k.Return is not null)
        {
            Name(writer, "return", first);
            argWriter.Write(writer, k.Return);
            first = false;
        }

        first = KprobeTail(writer, k, first);
        writer.Write(first ? "{ }" : " }");
    }

    private bool KprobeHead(TextWriter writer, ProcessKprobe k, bool first) => String(writer, "function_name", k.FunctionName, first);

    private bool KprobeTail(TextWriter writer, ProcessKprobe k, bool first)
    {
        first = Action(writer, "action", k.Action, first);
        first = String(writer, "policy_name", k.PolicyName, first);
        first = Action(writer, "return_action", k.ReturnAction, first);
        first = String(writer, "message", k.Message, first);
        return Tags(writer, k.Tags, first);
    }

    // ProcessTracepoint: process 1, parent 2, subsys 4, event 5, args 6, policy_name 7, action 8,
    // message 9, tags 10 (ancestors 11: none here).
    private void WriteTracepoint(TextWriter writer, ProcessTracepoint t)
    {
        writer.Write("{ \"process_tracepoint\": ");
        var first = WriteProcessField(writer, "process", t.Process, first: true);
        first = WriteProcessField(writer, "parent", t.Parent, first);
        first = TracepointHead(writer, t, first);
        first = Args(writer, t.Args, first);
        first = TracepointTail(writer, t, first);
        writer.Write(first ? "{ }" : " }");
    }

    private bool TracepointHead(TextWriter writer, ProcessTracepoint t, bool first)
    {
        first = String(writer, "subsys", t.Subsys, first);
        return String(writer, "event", t.Event, first);
    }

    private bool TracepointTail(TextWriter writer, ProcessTracepoint t, bool first)
    {
        first = String(writer, "policy_name", t.PolicyName, first);
        first = Action(writer, "action", t.Action, first);
        first = String(writer, "message", t.Message, first);
        return Tags(writer, t.Tags, first);
    }

    // ProcessUprobe: process 1, parent 2, path 3, symbol 4, policy_name 5, message 6, args 7,
    // tags 8, (ancestors 9), offset 10, ref_ctr_offset 11, action 12 (data 13, user_stack_trace 14: IsPlain).
    private void WriteUprobe(TextWriter writer, ProcessUprobe u)
    {
        writer.Write("{ \"process_uprobe\": ");
        var first = WriteProcessField(writer, "process", u.Process, first: true);
        first = WriteProcessField(writer, "parent", u.Parent, first);
        first = UprobeHead(writer, u, first);
        first = Args(writer, u.Args, first);
        first = UprobeTail(writer, u, first);
        writer.Write(first ? "{ }" : " }");
    }

    private bool UprobeHead(TextWriter writer, ProcessUprobe u, bool first)
    {
        first = String(writer, "path", u.Path, first);
        first = String(writer, "symbol", u.Symbol, first);
        first = String(writer, "policy_name", u.PolicyName, first);
        return String(writer, "message", u.Message, first);
    }

    private bool UprobeTail(TextWriter writer, ProcessUprobe u, bool first)
    {
        first = Tags(writer, u.Tags, first);
        first = UInt64(writer, "offset", u.Offset, first);
        first = UInt64(writer, "ref_ctr_offset", u.RefCtrOffset, first);
        return Action(writer, "action", u.Action, first);
    }

    /// <summary>Writes `"name": {...}`; returns whether nothing has been written yet.</summary>
    private bool WriteProcessField(TextWriter writer, string name, Api.Process? process, bool first)
    {
        if (process is null)
        {
            return first;
        }

        Name(writer, name, first);
        WriteProcessText(writer, process);
        return false;
    }

    private void WriteProcessText(TextWriter writer, Api.Process process)
    {
        var text = ProcessTextOf(process);
        if (writer is Utf8LineWriter utf8)
        {
            utf8.WriteUtf8(text.Utf8); // the bulk of a line, copied as bytes
        }
        else
        {
            writer.Write(text.Text);
        }
    }

    /// <summary>`"ancestors": [ {...}, {...} ]` from the cached text of each (they are the parents of many events).</summary>
    private bool Ancestors(TextWriter writer, RepeatedField<Api.Process> ancestors, bool first) =>
        List(writer, "ancestors", ancestors, WriteProcessText, first);

    /// <summary>
    /// The cached JSON of a process. A storm repeats the same few processes: a small
    /// direct-mapped table of recent ones answers first. Behind it, two generations of
    /// reference-keyed tables: the text of a process seen in the last generation moves to the
    /// current one, the rest is dropped with the older generation. (A ConditionalWeakTable
    /// cost a runtime handle per process, created under a lock and walked by every collection.)
    /// </summary>
    private ProcessText ProcessTextOf(Api.Process process)
    {
        var slot = RuntimeHelpers.GetHashCode(process) & (RecentSlots - 1);
        if (ReferenceEquals(recentProcess[slot], process))
        {
            return recentText[slot]!;
        }

        if (!processJson.TryGetValue(process, out var text))
        {
            if (!olderProcessJson.Remove(process, out text))
            {
                text = FormatProcess(process);
            }

            if (processJson.Count >= ProcessTextGeneration)
            {
                (olderProcessJson, processJson) = (processJson, olderProcessJson);
                processJson.Clear();
            }

            processJson.Add(process, text);
        }

        recentProcess[slot] = process;
        recentText[slot] = text;
        return text;
    }

    /// <summary>Formats straight to UTF-8: the bytes are what the export copies into every line of the process.</summary>
    private ProcessText FormatProcess(Api.Process process)
    {
        processScratch.Clear();
        processWriter.Write(processScratch, process);
        return new ProcessText(processScratch.Written.ToArray());
    }

    /// <summary>A process's JSON as the UTF-8 bytes the export writes; as text only for a writer that is not UTF-8.</summary>
    private sealed class ProcessText(byte[] utf8)
    {
        public byte[] Utf8 { get; } = utf8;

        public string Text => System.Text.Encoding.UTF8.GetString(Utf8);
    }

    /// <summary>Opens the object before the first field, separates the others.</summary>
    private static void Name(TextWriter writer, string name, bool first)
    {
        writer.Write(first ? "{ \"" : ", \"");
        writer.Write(name);
        writer.Write("\": ");
    }

    private bool String(TextWriter writer, string name, string value, bool first)
    {
        if (value.Length == 0)
        {
            return first;
        }

        Name(writer, name, first);
        writeString(writer, value);
        return false;
    }

    private static bool UInt64(TextWriter writer, string name, ulong value, bool first)
    {
        if (value == 0)
        {
            return first;
        }

        Name(writer, name, first);
        writer.Write('"');
        writer.Write(value.ToString("d", System.Globalization.CultureInfo.InvariantCulture));
        writer.Write('"');
        return false;
    }

    private static bool Action(TextWriter writer, string name, KprobeAction action, bool first)
    {
        if (action == KprobeAction.Unknown)
        {
            return first;
        }

        Name(writer, name, first);
        KprobeArgumentJsonWriter.WriteAction(writer, action);
        return false;
    }

    private bool Args(TextWriter writer, RepeatedField<KprobeArgument> args, bool first)
    {
        if (args.Count == 0)
        {
            return first;
        }

        Name(writer, "args", first);
        argWriter.WriteList(writer, args);
        return false;
    }

    private bool Tags(TextWriter writer, RepeatedField<string> tags, bool first) => List(writer, "tags", tags, writeString, first);

    /// <summary>A repeated field as JsonFormatter writes it: `"name": [ a, b ]`, nothing when empty.</summary>
    private static bool List<T>(TextWriter writer, string name, RepeatedField<T> items, Action<TextWriter, T> write, bool first)
    {
        if (items.Count == 0)
        {
            return first;
        }

        Name(writer, name, first);
        writer.Write("[ ");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(", ");
            }

            write(writer, items[i]);
        }

        writer.Write(" ]");
        return false;
    }

    /// <summary>The node name as JsonFormatter writes a string, formatted once (it rarely changes); UTF-8 for the export.</summary>
    private void WriteNodeName(TextWriter writer, string name)
    {
        if (name != nodeName)
        {
            nodeName = name;
            nodeNameJson = formatter.Format(new StringValue { Value = name });
            nodeNameUtf8 = System.Text.Encoding.UTF8.GetBytes(nodeNameJson);
        }

        if (writer is Utf8LineWriter utf8)
        {
            utf8.WriteUtf8(nodeNameUtf8);
        }
        else
        {
            writer.Write(nodeNameJson);
        }
    }
}
