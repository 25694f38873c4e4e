using System.Globalization;
using Google.Protobuf;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Writes KprobeArgument messages and KprobeAction values exactly as JsonFormatter does, by hand
/// for the kinds the generic decoder produces (string, int, uint, size, long, bytes, file, sockaddr);
/// any other kind goes to JsonFormatter itself. Equality is pinned by tests.
/// </summary>
internal sealed class KprobeArgumentJsonWriter(JsonFormatter formatter, Action<TextWriter, string> writeString)
{
    private static readonly string[] ActionNames = ActionTable();

    public void WriteList(TextWriter w, IReadOnlyList<KprobeArgument> args)
    {
        w.Write("[ ");
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0)
            {
                w.Write(", ");
            }

            Write(w, args[i]);
        }

        w.Write(" ]");
    }

    public void Write(TextWriter w, KprobeArgument a)
    {
        switch (a.ArgCase)
        {
            case KprobeArgument.ArgOneofCase.None:
                break;
            case KprobeArgument.ArgOneofCase.StringArg:
                w.Write("{ \"string_arg\": ");
                writeString(w, a.StringArg);
                break;
            case KprobeArgument.ArgOneofCase.IntArg:
                w.Write("{ \"int_arg\": ");
                w.Write(a.IntArg.ToString("d", CultureInfo.InvariantCulture));
                break;
            case KprobeArgument.ArgOneofCase.UintArg:
                w.Write("{ \"uint_arg\": ");
                w.Write(a.UintArg.ToString("d", CultureInfo.InvariantCulture));
                break;
            case KprobeArgument.ArgOneofCase.SizeArg:
                w.Write("{ \"size_arg\": \"");
                w.Write(a.SizeArg.ToString("d", CultureInfo.InvariantCulture));
                w.Write('"');
                break;
            case KprobeArgument.ArgOneofCase.LongArg:
                w.Write("{ \"long_arg\": \"");
                w.Write(a.LongArg.ToString("d", CultureInfo.InvariantCulture));
                w.Write('"');
                break;
            case KprobeArgument.ArgOneofCase.BytesArg:
                w.Write("{ \"bytes_arg\": \"");
                w.Write(a.BytesArg.ToBase64());
                w.Write('"');
                break;
            case KprobeArgument.ArgOneofCase.FileArg:
                w.Write("{ \"file_arg\": ");
                WriteFile(w, a.FileArg);
                break;
            case KprobeArgument.ArgOneofCase.SockaddrArg:
                // Field number order: label (18) comes before sockaddr_arg (30).
                if (a.Label.Length > 0)
                {
                    w.Write("{ \"label\": ");
                    writeString(w, a.Label);
                    w.Write(", \"sockaddr_arg\": ");
                }
                else
                {
                    w.Write("{ \"sockaddr_arg\": ");
                }

                WriteSockaddr(w, a.SockaddrArg);
                w.Write(" }");
                return;
            default:
                w.Write(formatter.Format(a)); // the other kinds: JsonFormatter's text as is
                return;
        }

        var first = a.ArgCase == KprobeArgument.ArgOneofCase.None;
        if (a.Label.Length > 0)
        {
            w.Write(first ? "{ \"label\": " : ", \"label\": ");
            writeString(w, a.Label);
            first = false;
        }

        w.Write(first ? "{ }" : " }");
    }

    /// <summary>An action as JsonFormatter writes an enum: its proto name quoted, or its number when unknown.</summary>
    public static void WriteAction(TextWriter w, KprobeAction action)
    {
        var n = (int)action;
        if (n >= 0 && n < ActionNames.Length && ActionNames[n] is { } name)
        {
            w.Write(name);
        }
        else
        {
            w.Write(n.ToString("d", CultureInfo.InvariantCulture));
        }
    }

    private void WriteFile(TextWriter w, KprobeFile f)
    {
        var first = true;
        Field(w, "mount", f.Mount, ref first);
        Field(w, "path", f.Path, ref first);
        Field(w, "flags", f.Flags, ref first);
        Field(w, "permission", f.Permission, ref first);
        w.Write(first ? "{ }" : " }");
    }

    public void WriteSockaddr(TextWriter w, KprobeSockaddr s)
    {
        var first = true;
        Field(w, "family", s.Family, ref first);
        Field(w, "addr", s.Addr, ref first);
        if (s.Port != 0)
        {
            w.Write(first ? "{ \"port\": " : ", \"port\": ");
            w.Write(s.Port.ToString("d", CultureInfo.InvariantCulture));
            first = false;
        }

        w.Write(first ? "{ }" : " }");
    }

    private void Field(TextWriter w, string name, string value, ref bool first)
    {
        if (value.Length == 0)
        {
            return;
        }

        w.Write(first ? "{ \"" : ", \"");
        w.Write(name);
        w.Write("\": ");
        writeString(w, value);
        first = false;
    }

    private static string[] ActionTable()
    {
        var values = ProcessKprobe.Descriptor.FindFieldByName("action").EnumType.Values;
        var table = new string[values.Max(v => v.Number) + 1];
        foreach (var v in values)
        {
            table[v.Number] = "\"" + v.Name + "\"";
        }

        return table;
    }
}
