using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Formats a Process exactly as Google.Protobuf's JsonFormatter does (field order, spacing,
/// escaping), but reuses the text of sub-messages that many processes share by reference
/// (capabilities, namespaces, container). Equality with JsonFormatter is pinned by tests.
/// </summary>
internal sealed class ProcessJsonWriter
{
    private readonly JsonFormatter formatter;
    private readonly TimestampJsonWriter timeWriter;
    private readonly Action<TextWriter, string> writeString;
    private readonly ConditionalWeakTable<IMessage, string> shared = [];

    public ProcessJsonWriter(JsonFormatter formatter)
    {
        this.formatter = formatter;
        timeWriter = new TimestampJsonWriter(formatter);

        Strings = new JsonStringWriter();
        writeString = Strings.Write;
    }

    public JsonStringWriter Strings { get; }

    /// <summary>Quotes and escapes a string exactly as JsonFormatter does.</summary>
    public Action<TextWriter, string> WriteString => writeString;

    public string Format(Api.Process p)
    {
        var w = new StringWriter();
        Write(w, p);
        return w.ToString();
    }

    public void Write(TextWriter w, Api.Process p)
    {
        if (p.EnvironmentVariables.Count > 0)
        {
            w.Write(formatter.Format(p));
            return;
        }

        var first = true;
        String(w, "exec_id", p.ExecId, ref first);
        UInt32(w, "pid", p.Pid, ref first);
        UInt32(w, "uid", p.Uid, ref first);
        String(w, "cwd", p.Cwd, ref first);
        String(w, "binary", p.Binary, ref first);
        String(w, "arguments", p.Arguments, ref first);
        String(w, "flags", p.Flags, ref first);
        if (p.StartTime is not null)
        {
            // Every exec formats a new process: JsonFormatter's Timestamp path costs more than the rest of it.
            Name(w, "start_time", ref first);
            timeWriter.Write(w, p.StartTime);
        }

        UInt32(w, "auid", p.Auid, ref first);
        Message(w, "pod", p.Pod, ref first);
        String(w, "docker", p.Docker, ref first);
        String(w, "parent_exec_id", p.ParentExecId, ref first);
        if (p.Refcnt != 0)
        {
            Name(w, "refcnt", ref first);
            w.Write(p.Refcnt);
        }

        Message(w, "cap", p.Cap, ref first);
        Message(w, "ns", p.Ns, ref first);
        UInt32(w, "tid", p.Tid, ref first);
        Message(w, "process_credentials", p.ProcessCredentials, ref first);
        Message(w, "binary_properties", p.BinaryProperties, ref first);
        Message(w, "user", p.User, ref first);
        if (p.InInitTree is { } inInitTree)
        {
            Name(w, "in_init_tree", ref first);
            w.Write(inInitTree ? "true" : "false");
        }

        Message(w, "container", p.Container, ref first);
        w.Write(first ? "{ }" : " }");
    }

    private static void Name(TextWriter w, string name, ref bool first)
    {
        w.Write(first ? "{ \"" : ", \"");
        w.Write(name);
        w.Write("\": ");
        first = false;
    }

    private void String(TextWriter w, string name, string value, ref bool first)
    {
        if (value.Length > 0)
        {
            Name(w, name, ref first);
            writeString(w, value);
        }
    }

    private static void UInt32(TextWriter w, string name, uint? value, ref bool first)
    {
        if (value is { } v)
        {
            Name(w, name, ref first);
            w.Write(v);
        }
    }

    /// <summary>A shared sub-message (caps, namespaces, container ...): formatted once per instance.</summary>
    private void Message(TextWriter w, string name, IMessage? value, ref bool first)
    {
        if (value is null)
        {
            return;
        }

        Name(w, name, ref first);
        w.Write(shared.GetValue(value, m => formatter.Format(m)));
    }
}
