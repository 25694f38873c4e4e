using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Api;
using L = Tetragon.Docker.Agent.Sensors.GenericLayout;

namespace Tetragon.Docker.Agent.Export;

/// <summary>
/// Hook events written from their ring sample, with no message built. Everything a hook
/// writes around its arguments (function name, policy, message, tags, action) is formatted
/// once per hook by the same code that writes messages, from the message the decoder would
/// build, so both paths give the same bytes; per event only the process text, the arguments
/// and the time are written.
/// </summary>
internal sealed partial class ExportJsonEncoder
{
    private readonly ConditionalWeakTable<ActiveHook, HookJson> hookJson = [];
    private readonly Utf8LineWriter scratch = new();
    private SearchValues<byte>? plainBytes;
    private ActiveHook? lastHook;
    private HookJson? lastHookJson;

    /// <summary>
    /// Writes the line <see cref="Write"/> would write for the message the decoder builds from
    /// <paramref name="s"/>. False, with a partial line to discard, for what only the message
    /// path writes: char buffers, text that needs escaping.
    /// </summary>
    public bool TryWriteHook(in HookSample s, Utf8LineWriter w)
    {
        var json = HookJsonOf(s.Hook, s.Op);
        if (json.Op != s.Op || !s.Hook.Encoded.InPolicyOrder)
        {
            return false;
        }

        w.WriteUtf8(json.Open);
        w.WriteUtf8(ProcessTextOf(s.Process).Utf8);
        if (s.Parent is not null)
        {
            w.WriteUtf8(", \"parent\": "u8);
            w.WriteUtf8(ProcessTextOf(s.Parent).Utf8);
        }

        w.WriteUtf8(json.Head);
        if (s.ArgCount > 0)
        {
            w.WriteUtf8(", \"args\": [ "u8);
            var offset = HookSample.FirstArgOffset;
            for (var i = 0; i < s.ArgCount; i++)
            {
                if (i > 0)
                {
                    w.WriteUtf8(", "u8);
                }

                if (!TryWriteArg(w, s.Hook.Encoded.Args[i].KernelType, s.Arg(i, ref offset), json, i))
                {
                    return false;
                }
            }

            w.WriteUtf8(" ]"u8);
        }

        if (s.HasReturn)
        {
            w.WriteUtf8(", \"return\": "u8);
            WriteNumberArg(w, s.Hook.Encoded.ReturnType, s.Return, json.ReturnEnd);
        }

        w.WriteUtf8(json.Tail(s.Action));
        w.WriteUtf8(" }"u8);
        if (s.NodeName.Length > 0)
        {
            w.WriteUtf8(", \"node_name\": "u8);
            WriteNodeName(w, s.NodeName);
        }

        w.WriteUtf8(", \"time\": "u8);
        timeWriter.WriteUnixNs(w, s.UnixNs);
        w.WriteUtf8(" }\n"u8);
        return true;
    }

    /// <summary>One argument as KprobeArgumentJsonWriter writes the decoder's KprobeArgument of it.</summary>
    private bool TryWriteArg(Utf8LineWriter w, byte kernelType, ReadOnlySpan<byte> data, HookJson json, int i)
    {
        var end = json.ArgEnds[i];
        switch (kernelType)
        {
            case L.TypeString or L.TypeDataLoc:
                if (!IsPlain(data))
                {
                    return false;
                }

                w.WriteUtf8("{ \"string_arg\": \""u8);
                w.WriteUtf8(data);
                w.WriteUtf8("\""u8);
                break;
            case L.TypeFd or L.TypeFile or L.TypeKiocb:
                if (!IsPlain(data))
                {
                    return false;
                }

                w.WriteUtf8("{ \"file_arg\": "u8);
                if (data.IsEmpty)
                {
                    w.WriteUtf8("{ }"u8);
                }
                else
                {
                    w.WriteUtf8("{ \"path\": \""u8);
                    w.WriteUtf8(data);
                    w.WriteUtf8("\" }"u8);
                }

                break;
            case L.TypeSockaddr:
                // Its label comes first: field number 18 before sockaddr_arg's 30.
                w.WriteUtf8(json.SockaddrOpens[i]);
                argWriter.WriteSockaddr(w, SockaddrDecoder.Decode(data));
                w.WriteUtf8(" }"u8);
                return true;
            case L.TypeCharBuf or L.TypePath or L.TypeLinuxBinprm or L.TypeSock or L.TypeSocket or L.TypeSkb or L.TypeCred or L.TypeDentry
                or L.TypeCapability or L.TypeKernelCap or L.TypeUserNs or L.TypeBpfAttr or L.TypeBpfMap or L.TypeModule or L.TypeNetDevice
                or L.TypeBpfProg or L.TypePerfEvent or L.TypeLoadInfo or L.TypeIovIter or L.TypeSyscall64 or L.TypeCharIovec:
                return false;
            default:
                WriteNumberArg(w, kernelType, data.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(data) : 0, end);
                return true;
        }

        w.WriteUtf8(end);
        return true;
    }

    /// <summary>The decoder's Number(): 32-bit and smaller as JSON numbers, 64-bit quoted (JsonFormatter's int64 rule).</summary>
    private static void WriteNumberArg(Utf8LineWriter w, byte kernelType, long value, byte[] end)
    {
        switch (kernelType)
        {
            case L.TypeS32 or L.TypeS16 or L.TypeS8:
                w.WriteUtf8("{ \"int_arg\": "u8);
                w.WriteNumber((int)value);
                break;
            case L.TypeU32 or L.TypeU16 or L.TypeU8:
                w.WriteUtf8("{ \"uint_arg\": "u8);
                w.WriteNumber((uint)value);
                break;
            case L.TypeU64:
                w.WriteUtf8("{ \"size_arg\": \""u8);
                w.WriteNumber((ulong)value);
                w.WriteUtf8("\""u8);
                break;
            default:
                w.WriteUtf8("{ \"long_arg\": \""u8);
                w.WriteNumber(value);
                w.WriteUtf8("\""u8);
                break;
        }

        w.WriteUtf8(end);
    }

    /// <summary>Bytes that are their own JSON string body (then valid UTF-8 too, being ASCII).</summary>
    private bool IsPlain(ReadOnlySpan<byte> data) =>
        !data.ContainsAnyExcept(plainBytes ??= processWriter.Strings.PlainBytes);

    private HookJson HookJsonOf(ActiveHook hook, byte op)
    {
        if (!ReferenceEquals(lastHook, hook))
        {
            lastHookJson = hookJson.GetValue(hook, h => new HookJson(this, h, op));
            lastHook = hook;
        }

        return lastHookJson!;
    }

    /// <summary>Runs one of the message writers into a scratch line and keeps its bytes.</summary>
    private byte[] Capture(Action<TextWriter> write)
    {
        scratch.Clear();
        write(scratch);
        return scratch.Written.ToArray();
    }

    /// <summary>A hook's text around its arguments, taken from the message writers (first = false: the process came before).</summary>
    private sealed class HookJson
    {
        private readonly ExportJsonEncoder encoder;
        private readonly ActiveHook hook;
        private byte[]?[] tails = [];

        public HookJson(ExportJsonEncoder encoder, ActiveHook hook, byte op)
        {
            this.encoder = encoder;
            this.hook = hook;
            Op = op;
            var message = Prototype(KprobeAction.Unknown);
            (Open, Head) = message.EventCase switch
            {
                GetEventsResponse.EventOneofCase.ProcessTracepoint =>
                    ("{ \"process_tracepoint\": { \"process\": "u8.ToArray(), encoder.Capture(w => encoder.TracepointHead(w, message.ProcessTracepoint, first: false))),
                GetEventsResponse.EventOneofCase.ProcessUprobe =>
                    ("{ \"process_uprobe\": { \"process\": "u8.ToArray(), encoder.Capture(w => encoder.UprobeHead(w, message.ProcessUprobe, first: false))),
                _ => ("{ \"process_kprobe\": { \"process\": "u8.ToArray(), encoder.Capture(w => encoder.KprobeHead(w, message.ProcessKprobe, first: false))),
            };
            ArgEnds = [.. hook.Encoded.Args.Select(a => LabelEnd(a.Descriptor.Label))];
            SockaddrOpens = [.. hook.Encoded.Args.Select(a => SockaddrOpen(a.Descriptor.Label))];
            ReturnEnd = LabelEnd(hook.Plan.ReturnArg?.Label);
        }

        public byte Op { get; }

        public byte[] Open { get; }

        public byte[] Head { get; }

        /// <summary>Per argument: its label (when it has one) and the closing brace.</summary>
        public byte[][] ArgEnds { get; }

        /// <summary>Per argument: how a sockaddr argument opens (its label, if any, comes first).</summary>
        public byte[][] SockaddrOpens { get; }

        public byte[] ReturnEnd { get; }

        /// <summary>What follows the arguments: it holds the action, so one text per action seen.</summary>
        public byte[] Tail(KprobeAction action)
        {
            var n = (int)action;
            if (n < 0 || n > 64)
            {
                return TailText(action);
            }

            if (n >= tails.Length)
            {
                Array.Resize(ref tails, n + 1);
            }

            return tails[n] ??= TailText(action);
        }

        private byte[] TailText(KprobeAction action)
        {
            var message = Prototype(action);
            return message.EventCase switch
            {
                GetEventsResponse.EventOneofCase.ProcessTracepoint => encoder.Capture(w => encoder.TracepointTail(w, message.ProcessTracepoint, first: false)),
                GetEventsResponse.EventOneofCase.ProcessUprobe => encoder.Capture(w => encoder.UprobeTail(w, message.ProcessUprobe, first: false)),
                _ => encoder.Capture(w => encoder.KprobeTail(w, message.ProcessKprobe, first: false)),
            };
        }

        private GetEventsResponse Prototype(KprobeAction action) => GenericEventDecoder.Event(hook, Op, action, null, null, []);

        private byte[] SockaddrOpen(string? label) => string.IsNullOrEmpty(label)
            ? "{ \"sockaddr_arg\": "u8.ToArray()
            : encoder.Capture(w =>
            {
                w.Write("{ \"label\": ");
                encoder.writeString(w, label);
                w.Write(", \"sockaddr_arg\": ");
            });

        private byte[] LabelEnd(string? label) => string.IsNullOrEmpty(label)
            ? " }"u8.ToArray()
            : encoder.Capture(w =>
            {
                w.Write(", \"label\": ");
                encoder.writeString(w, label);
                w.Write(" }");
            });
    }
}
