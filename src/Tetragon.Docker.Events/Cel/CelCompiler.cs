using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Cel;

/// <summary>An expression that cannot be evaluated for this event (an absent event type, a missing key, an overflow).</summary>
internal sealed class CelEvalException(string message) : Exception(message);

/// <summary>What an expression sees while it runs: the event, and the variables of the comprehensions around it.</summary>
internal sealed class CelFrame(GetEventsResponse response, int locals)
{
    public GetEventsResponse Response { get; } = response;

    public object?[] Locals { get; } = new object?[locals];
}

/// <summary>
/// Type-checks a parsed expression against tetragon.proto's descriptors and turns it into a
/// closure. Values while it runs: bool, long (int), ulong (uint), double, string, ByteString,
/// null, protobuf messages, lists (IList) and maps (IDictionary); enums are ints and wrapper
/// fields their nullable value, as in CEL. Unlike cel-go's default, ints, uints and doubles
/// compare with each other (`process.pid > 1` needs no `uint(1)`); arithmetic does not mix them.
/// </summary>
internal sealed class CelCompiler
{
    private static readonly IReadOnlyDictionary<string, FieldDescriptor> EventVariables =
        GetEventsResponse.Descriptor.Oneofs.Single(o => o.Name == "event").Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private int locals;

    public int Locals => locals;

    public (CelType Type, Func<CelFrame, object?> Eval) Compile(CelNode node) => Compile(node, ImmutableDictionary<string, (int, CelType)>.Empty);

    private (CelType Type, Func<CelFrame, object?> Eval) Compile(CelNode node, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        switch (node)
        {
            case CelLiteral lit:
                var value = lit.Value;
                return (TypeOfValue(value), _ => value);
            case CelIdent id:
                return Ident(id, scope);
            case CelSelect sel:
                return Select(sel, scope);
            case CelIndex idx:
                return Index(idx, scope);
            case CelList list:
                var items = list.Items.Select(i => Compile(i, scope)).ToArray();
                var element = items.Length > 0 && items.All(i => SameType(i.Type, items[0].Type)) ? items[0].Type : CelType.Dyn;
                return (CelType.ListOf(element), f => items.Select(i => i.Eval(f)).ToList());
            case CelUnary u:
                return Unary(u, scope);
            case CelBinary b:
                return Binary(b, scope);
            case CelConditional c:
                var cond = Compile(c.Condition, scope);
                Require(cond.Type, CelKind.Bool, "the condition of ?:", c.Pos);
                var then = Compile(c.Then, scope);
                var other = Compile(c.Else, scope);
                return (SameType(then.Type, other.Type) ? then.Type : CelType.Dyn, f => AsBool(cond.Eval(f)) ? then.Eval(f) : other.Eval(f));
            case CelCall call:
                return Call(call, scope);
            default:
                throw new CelException("unsupported expression", node.Pos);
        }
    }

    private static (CelType, Func<CelFrame, object?>) Ident(CelIdent id, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        if (scope.TryGetValue(id.Name, out var local))
        {
            var slot = local.Slot;
            return (local.Type, f => f.Locals[slot]);
        }

        if (!EventVariables.TryGetValue(id.Name, out var field))
        {
            throw new CelException($"undeclared reference to '{id.Name}' (the variables are the event types: {string.Join(", ", EventVariables.Keys)})", id.Pos);
        }

        var number = field.FieldNumber;
        var name = id.Name;
        return (CelType.MessageOf(field.MessageType), f => (int)f.Response.EventCase == number
            ? field.Accessor.GetValue(f.Response)
            : throw new CelEvalException($"no such attribute '{name}': the event is {f.Response.EventCase}"));
    }

    private (CelType, Func<CelFrame, object?>) Select(CelSelect sel, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        var operand = Compile(sel.Operand, scope);
        var name = sel.Field;
        switch (operand.Type.Kind)
        {
            case CelKind.Message:
                var field = FieldOf(operand.Type.Message!, name, sel.Pos);
                var type = CelType.Of(field);
                return (type, f => GetField((IMessage)operand.Eval(f)!, field, type));
            case CelKind.Map:
                Require(operand.Type.Key!, CelKind.String, "a map selected by field name", sel.Pos);
                return (operand.Type.Element!, f => MapGet((IDictionary)operand.Eval(f)!, name));
            case CelKind.Dyn:
                return (CelType.Dyn, f => operand.Eval(f) switch
                {
                    IMessage m => GetField(m, m.Descriptor.FindFieldByName(name) ?? throw new CelEvalException($"no such field '{name}' in {m.Descriptor.FullName}"), null),
                    IDictionary d => MapGet(d, name),
                    var other => throw new CelEvalException($"'{name}' selected from {other?.GetType().Name ?? "null"}"),
                });
            default:
                throw new CelException($"type '{operand.Type}' has no field '{name}'", sel.Pos);
        }
    }

    private static FieldDescriptor FieldOf(MessageDescriptor d, string name, int pos) =>
        d.FindFieldByName(name) ?? throw new CelException($"undefined field '{name}' of {d.FullName} (its fields: {string.Join(", ", d.Fields.InFieldNumberOrder().Select(x => x.Name))})", pos);

    private (CelType, Func<CelFrame, object?>) Index(CelIndex idx, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        var operand = Compile(idx.Operand, scope);
        var key = Compile(idx.Key, scope);
        switch (operand.Type.Kind)
        {
            case CelKind.List:
                Require(key.Type, CelKind.Int, "a list index", idx.Pos);
                return (operand.Type.Element!, f => ListGet((IList)operand.Eval(f)!, key.Eval(f)));
            case CelKind.Map:
                return (operand.Type.Element!, f => MapGet((IDictionary)operand.Eval(f)!, key.Eval(f)));
            case CelKind.Dyn:
                return (CelType.Dyn, f => operand.Eval(f) switch
                {
                    IList l => ListGet(l, key.Eval(f)),
                    IDictionary d => MapGet(d, key.Eval(f)),
                    _ => throw new CelEvalException("index into a value that is no list or map"),
                });
            default:
                throw new CelException($"type '{operand.Type}' cannot be indexed", idx.Pos);
        }
    }

    private (CelType, Func<CelFrame, object?>) Unary(CelUnary u, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        var operand = Compile(u.Operand, scope);
        if (u.Op == "!")
        {
            Require(operand.Type, CelKind.Bool, "'!'", u.Pos);
            return (CelType.Bool, f => !AsBool(operand.Eval(f)));
        }

        if (operand.Type.Kind is not (CelKind.Int or CelKind.Double or CelKind.Dyn))
        {
            throw new CelException($"no matching overload for '-' ({operand.Type})", u.Pos);
        }

        return (operand.Type, f => operand.Eval(f) switch
        {
            long l => l == long.MinValue ? throw new CelEvalException("int overflow") : -l,
            double d => -d,
            var other => throw new CelEvalException($"no matching overload for '-' ({other?.GetType().Name})"),
        });
    }

    private (CelType, Func<CelFrame, object?>) Binary(CelBinary b, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        var l = Compile(b.Left, scope);
        var r = Compile(b.Right, scope);
        var left = l.Eval;
        var right = r.Eval;
        switch (b.Op)
        {
            case "&&" or "||":
                Require(l.Type, CelKind.Bool, $"'{b.Op}'", b.Pos);
                Require(r.Type, CelKind.Bool, $"'{b.Op}'", b.Pos);
                var shortCircuit = b.Op == "||"; // the value that decides alone, whichever side errs
                return (CelType.Bool, f =>
                {
                    CelEvalException? error = null;
                    try
                    {
                        if (AsBool(left(f)) == shortCircuit)
                        {
                            return shortCircuit;
                        }
                    }
                    catch (CelEvalException e)
                    {
                        error = e;
                    }

                    var rv = AsBool(right(f));
                    return rv == shortCircuit ? shortCircuit : error is null ? rv : throw error;
                });
            case "==" or "!=":
                if (!Comparable(l.Type, r.Type, ordering: false))
                {
                    throw new CelException($"no matching overload for '{b.Op}' ({l.Type}, {r.Type})", b.Pos);
                }

                var negate = b.Op == "!=";
                return (CelType.Bool, f => CelValues.Equal(left(f), right(f)) != negate);
            case "<" or "<=" or ">" or ">=":
                if (!Comparable(l.Type, r.Type, ordering: true))
                {
                    throw new CelException($"no matching overload for '{b.Op}' ({l.Type}, {r.Type})", b.Pos);
                }

                Func<int, bool> test = b.Op switch { "<" => c => c < 0, "<=" => c => c <= 0, ">" => c => c > 0, _ => c => c >= 0 };
                return (CelType.Bool, f => test(CelValues.Compare(left(f), right(f))));
            case "in":
                if (r.Type.Kind is not (CelKind.List or CelKind.Map or CelKind.Dyn))
                {
                    throw new CelException($"no matching overload for 'in' ({l.Type}, {r.Type})", b.Pos);
                }

                return (CelType.Bool, f => right(f) switch
                {
                    IList list => CelValues.Items(list).Any(item => CelValues.Equal(item, left(f))),
                    IDictionary map => MapHas(map, left(f)),
                    _ => throw new CelEvalException("'in' needs a list or a map"),
                });
            default:
                return Arithmetic(b.Op, l.Type, r.Type, left, right, b.Pos);
        }
    }

    private static (CelType, Func<CelFrame, object?>) Arithmetic(string op, CelType lt, CelType rt, Func<CelFrame, object?> left, Func<CelFrame, object?> right, int pos)
    {
        var known = lt.Kind != CelKind.Dyn && rt.Kind != CelKind.Dyn;
        var ok = !known || (lt.Kind == rt.Kind && (lt.IsNumber || (op == "+" && lt.Kind is CelKind.String or CelKind.Bytes or CelKind.List)));
        if (!ok || (op == "%" && lt.Kind == CelKind.Double))
        {
            throw new CelException($"no matching overload for '{op}' ({lt}, {rt})", pos);
        }

        return (known ? lt : CelType.Dyn, f => CelValues.Arithmetic(op, left(f), right(f)));
    }

    private (CelType, Func<CelFrame, object?>) Call(CelCall call, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        if (call.Target is null && call.Function == "has")
        {
            return Has(call, scope);
        }

        if (call.Target is not null && call.Function is "exists" or "all" or "exists_one" or "filter" or "map")
        {
            return Comprehension(call, scope);
        }

        // Receiver-style and global-style calls of the same function: s.size() and size(s).
        var args = (call.Target is null ? call.Args : [call.Target, .. call.Args]).Select(a => Compile(a, scope)).ToArray();
        switch (call.Function, args.Length)
        {
            case ("size", 1):
                if (args[0].Type.Kind is not (CelKind.String or CelKind.Bytes or CelKind.List or CelKind.Map or CelKind.Dyn))
                {
                    throw new CelException($"no matching overload for 'size' ({args[0].Type})", call.Pos);
                }

                var sized = args[0].Eval;
                return (CelType.Int, f => CelValues.Size(sized(f)));
            case ("startsWith" or "endsWith" or "contains", 2):
                Require(args[0].Type, CelKind.String, $"'{call.Function}'", call.Pos);
                Require(args[1].Type, CelKind.String, $"'{call.Function}'", call.Pos);
                var (s, p) = (args[0].Eval, args[1].Eval);
                Func<string, string, bool> op = call.Function switch
                {
                    "startsWith" => (a, x) => a.StartsWith(x, StringComparison.Ordinal),
                    "endsWith" => (a, x) => a.EndsWith(x, StringComparison.Ordinal),
                    _ => (a, x) => a.Contains(x, StringComparison.Ordinal),
                };
                return (CelType.Bool, f => op(AsString(s(f)), AsString(p(f))));
            case ("matches", 2):
                Require(args[0].Type, CelKind.String, "'matches'", call.Pos);
                Require(args[1].Type, CelKind.String, "'matches'", call.Pos);
                var subject = args[0].Eval;
                var pattern = (call.Target is null ? call.Args[1] : call.Args[0]) is CelLiteral { Value: string fixedPattern }
                    ? CompileRegex(fixedPattern, call.Pos)
                    : null;
                var patternEval = args[1].Eval;
                return (CelType.Bool, f => (pattern ?? CompileRegex(AsString(patternEval(f)), -1)).IsMatch(AsString(subject(f))));
            case ("int" or "uint" or "double" or "string", 1):
                var converted = args[0].Eval;
                var to = call.Function;
                var type = to switch { "int" => CelType.Int, "uint" => CelType.Uint, "double" => CelType.Double, _ => CelType.String };
                return (type, f => CelValues.Convert(to, converted(f)));
            default:
                throw new CelException($"undeclared function '{call.Function}' with {args.Length} argument(s) (supported: size, startsWith, endsWith, contains, matches, int, uint, double, string, has, exists, all, exists_one, filter, map)", call.Pos);
        }
    }

    private static Regex CompileRegex(string pattern, int pos)
    {
        try
        {
            // Linear time, as CEL's RE2 is (no backreferences, no lookaround): a client's pattern cannot stall the agent.
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException && pos > 0)
        {
            throw new CelException($"invalid regular expression '{pattern}': {e.Message}", pos);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new CelEvalException($"invalid regular expression '{pattern}': {e.Message}");
        }
    }

    /// <summary>has(m.f): whether a field is set (a message or wrapper present, a list or map not empty, a scalar not its default); has(map.key): whether the key is there.</summary>
    private (CelType, Func<CelFrame, object?>) Has(CelCall call, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        if (call.Args is not [CelSelect sel])
        {
            throw new CelException("has() takes one field selection, as in has(process_exec.process.pod)", call.Pos);
        }

        var operand = Compile(sel.Operand, scope);
        var name = sel.Field;
        switch (operand.Type.Kind)
        {
            case CelKind.Message:
                var field = FieldOf(operand.Type.Message!, name, sel.Pos);
                return (CelType.Bool, f => Present((IMessage)operand.Eval(f)!, field));
            case CelKind.Map:
                return (CelType.Bool, f => MapHas((IDictionary)operand.Eval(f)!, name));
            case CelKind.Dyn:
                return (CelType.Bool, f => operand.Eval(f) switch
                {
                    IMessage m => m.Descriptor.FindFieldByName(name) is { } fd && Present(m, fd),
                    IDictionary d => MapHas(d, name),
                    _ => throw new CelEvalException($"has() of '{name}' on a value that is no message or map"),
                });
            default:
                throw new CelException($"type '{operand.Type}' has no field '{name}'", sel.Pos);
        }
    }

    private (CelType, Func<CelFrame, object?>) Comprehension(CelCall call, ImmutableDictionary<string, (int Slot, CelType Type)> scope)
    {
        if (call.Args is not [CelIdent variable, var body])
        {
            throw new CelException($"{call.Function}() takes a variable name and an expression, as in args.exists(a, a.string_arg == \"x\")", call.Pos);
        }

        var range = Compile(call.Target!, scope);
        var element = range.Type.Kind switch
        {
            CelKind.List => range.Type.Element!,
            CelKind.Map => range.Type.Key!, // a map's comprehension ranges over its keys
            CelKind.Dyn => CelType.Dyn,
            _ => throw new CelException($"{call.Function}() needs a list or a map, not {range.Type}", call.Pos),
        };
        var slot = locals++;
        var step = Compile(body, scope.SetItem(variable.Name, (slot, element)));
        if (call.Function != "map")
        {
            Require(step.Type, CelKind.Bool, $"the expression of {call.Function}()", body.Pos);
        }

        var kind = call.Function;
        var rangeEval = range.Eval;
        var stepEval = step.Eval;
        return (kind switch { "filter" => CelType.ListOf(element), "map" => CelType.ListOf(step.Type), _ => CelType.Bool }, f =>
        {
            var items = rangeEval(f) switch
            {
                IList l => CelValues.Items(l),
                IDictionary d => d.Keys.Cast<object?>().Select(CelValues.Normalize),
                _ => throw new CelEvalException($"{kind}() needs a list or a map"),
            };
            var matched = 0;
            var results = new List<object?>();
            foreach (var item in items)
            {
                f.Locals[slot] = item;
                var v = stepEval(f);
                if (kind == "map")
                {
                    results.Add(v);
                    continue;
                }

                var b = AsBool(v);
                switch (kind)
                {
                    case "exists" when b:
                        return true;
                    case "all" when !b:
                        return false;
                    case "filter" when b:
                        results.Add(item);
                        break;
                }

                matched += b ? 1 : 0;
            }

            return kind switch { "exists" => false, "all" => true, "exists_one" => matched == 1, _ => results };
        });
    }

    private static object? GetField(IMessage message, FieldDescriptor field, CelType? type)
    {
        var value = field.Accessor.GetValue(message);
        if (value is null && (type ?? CelType.Of(field)).Kind == CelKind.Message)
        {
            return Defaults.GetOrAdd(field.MessageType, d => d.Parser.ParseFrom(ByteString.Empty)); // an unset message reads as its default
        }

        return CelValues.Normalize(value);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MessageDescriptor, IMessage> Defaults = new();

    private static bool Present(IMessage message, FieldDescriptor field)
    {
        var value = field.Accessor.GetValue(message);
        return value switch
        {
            null => false,
            IList l => l.Count > 0,
            IDictionary d => d.Count > 0,
            IMessage => true,
            _ when field.FieldType == FieldType.Message => true, // a wrapper holding a value
            _ when field.HasPresence => field.Accessor.HasValue(message),
            _ => !Equals(CelValues.Normalize(value), CelValues.Normalize(DefaultScalar(field))), // proto3: set is not the default
        };
    }

    private static object? DefaultScalar(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bool => false,
        FieldType.Bytes => ByteString.Empty,
        FieldType.Float or FieldType.Double => 0.0,
        FieldType.UInt32 or FieldType.UInt64 or FieldType.Fixed32 or FieldType.Fixed64 => 0UL,
        _ => 0L,
    };

    private static object? ListGet(IList list, object? index)
    {
        if (index is not long i || i < 0 || i >= list.Count)
        {
            throw new CelEvalException($"index {index} out of range for a list of {list.Count}");
        }

        return CelValues.Normalize(list[(int)i]);
    }

    private static object? MapGet(IDictionary map, object? key)
    {
        foreach (DictionaryEntry e in map)
        {
            if (CelValues.Equal(CelValues.Normalize(e.Key), key))
            {
                return CelValues.Normalize(e.Value);
            }
        }

        throw new CelEvalException($"no such key: {key}");
    }

    private static bool MapHas(IDictionary map, object? key)
    {
        foreach (var k in map.Keys)
        {
            if (CelValues.Equal(CelValues.Normalize(k), key))
            {
                return true;
            }
        }

        return false;
    }

    private static CelType TypeOfValue(object? v) => v switch
    {
        null => CelType.Null,
        bool => CelType.Bool,
        long => CelType.Int,
        ulong => CelType.Uint,
        double => CelType.Double,
        string => CelType.String,
        ByteString => CelType.Bytes,
        _ => CelType.Dyn,
    };

    private static bool SameType(CelType a, CelType b) =>
        a.Kind == b.Kind && a.Kind switch
        {
            CelKind.Message => a.Message == b.Message,
            CelKind.List => SameType(a.Element!, b.Element!),
            CelKind.Map => SameType(a.Key!, b.Key!) && SameType(a.Element!, b.Element!),
            _ => true,
        };

    private static bool Comparable(CelType a, CelType b, bool ordering)
    {
        if (a.Kind == CelKind.Dyn || b.Kind == CelKind.Dyn)
        {
            return true;
        }

        if (a.IsNumber && b.IsNumber)
        {
            return true;
        }

        if (ordering)
        {
            return a.Kind == b.Kind && a.Kind is CelKind.String or CelKind.Bool or CelKind.Bytes or CelKind.Timestamp or CelKind.Duration;
        }

        // null compares with what may be null: messages, wrappers (their primitive kinds), timestamps.
        return a.Kind == CelKind.Null || b.Kind == CelKind.Null || Compatible(a, b);
    }

    /// <summary>The same type where both are known: dyn (a mixed list's elements) matches anything, numbers match numbers.</summary>
    private static bool Compatible(CelType a, CelType b) =>
        a.Kind == CelKind.Dyn || b.Kind == CelKind.Dyn || (a.IsNumber && b.IsNumber) || (a.Kind == b.Kind && a.Kind switch
        {
            CelKind.Message => a.Message == b.Message,
            CelKind.List => Compatible(a.Element!, b.Element!),
            CelKind.Map => Compatible(a.Key!, b.Key!) && Compatible(a.Element!, b.Element!),
            _ => true,
        });

    private static void Require(CelType type, CelKind kind, string what, int pos)
    {
        if (type.Kind != kind && type.Kind != CelKind.Dyn)
        {
            throw new CelException($"{what} needs {kind.ToString().ToLowerInvariant()}, not {type}", pos);
        }
    }

    internal static bool AsBool(object? v) => v is bool b ? b : throw new CelEvalException($"expected a bool, got {v?.GetType().Name ?? "null"}");

    private static string AsString(object? v) => v as string ?? throw new CelEvalException($"expected a string, got {v?.GetType().Name ?? "null"}");
}

/// <summary>CEL's operations on runtime values.</summary>
internal static class CelValues
{
    public static object? Normalize(object? v) => v switch
    {
        int i => (long)i,
        uint u => (ulong)u,
        float x => (double)x,
        System.Enum e => System.Convert.ToInt64(e, CultureInfo.InvariantCulture),
        _ => v,
    };

    public static IEnumerable<object?> Items(IList list) => list.Cast<object?>().Select(Normalize);

    public static bool Equal(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a, b) == 0;
        }

        if (a is IList la && b is IList lb)
        {
            return la.Count == lb.Count && Items(la).Zip(Items(lb)).All(p => Equal(p.First, p.Second));
        }

        return a.Equals(b);
    }

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a!, b!);
        }

        return (a, b) switch
        {
            (string x, string y) => Math.Sign(string.CompareOrdinal(x, y)),
            (bool x, bool y) => x.CompareTo(y),
            (ByteString x, ByteString y) => x.Span.SequenceCompareTo(y.Span),
            (Timestamp x, Timestamp y) => x.CompareTo(y),
            (Duration x, Duration y) => x.CompareTo(y),
            _ => throw new CelEvalException($"cannot order {a?.GetType().Name ?? "null"} and {b?.GetType().Name ?? "null"}"),
        };
    }

    private static bool IsNumber(object? v) => v is long or ulong or double;

    private static int CompareNumbers(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (ulong x, ulong y) => x.CompareTo(y),
        (long x, ulong y) => x < 0 ? -1 : ((ulong)x).CompareTo(y),
        (ulong x, long y) => y < 0 ? 1 : x.CompareTo((ulong)y),
        _ => System.Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(System.Convert.ToDouble(b, CultureInfo.InvariantCulture)),
    };

    public static object? Arithmetic(string op, object? a, object? b)
    {
        try
        {
            return (a, b) switch
            {
                (long x, long y) => op switch
                {
                    "+" => checked(x + y),
                    "-" => checked(x - y),
                    "*" => checked(x * y),
                    "/" => y == 0 ? throw new CelEvalException("division by zero") : checked(x / y),
                    _ => y == 0 ? throw new CelEvalException("modulus by zero") : x % y,
                },
                (ulong x, ulong y) => op switch
                {
                    "+" => checked(x + y),
                    "-" => checked(x - y),
                    "*" => checked(x * y),
                    "/" => y == 0 ? throw new CelEvalException("division by zero") : x / y,
                    _ => y == 0 ? throw new CelEvalException("modulus by zero") : x % y,
                },
                (double x, double y) when op != "%" => op switch { "+" => x + y, "-" => x - y, "*" => x * y, _ => x / y },
                (string x, string y) when op == "+" => x + y,
                (ByteString x, ByteString y) when op == "+" => ByteString.CopyFrom([.. x.Span, .. y.Span]),
                (IList x, IList y) when op == "+" => Items(x).Concat(Items(y)).ToList(),
                _ => throw new CelEvalException($"no matching overload for '{op}' ({a?.GetType().Name ?? "null"}, {b?.GetType().Name ?? "null"})"),
            };
        }
        catch (OverflowException)
        {
            throw new CelEvalException($"overflow in '{op}'");
        }
    }

    public static long Size(object? v) => v switch
    {
        string s => s.EnumerateRunes().LongCount(), // code points, as CEL counts
        ByteString b => b.Length,
        IList l => l.Count,
        IDictionary d => d.Count,
        _ => throw new CelEvalException($"no size for {v?.GetType().Name ?? "null"}"),
    };

    public static object Convert(string to, object? v)
    {
        try
        {
            return (to, v) switch
            {
                ("int", long l) => l,
                ("int", ulong u) => checked((long)u),
                ("int", double d) when double.IsFinite(d) && d > -9.3e18 && d < 9.3e18 => checked((long)d),
                ("int", string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                ("int", Timestamp t) => t.Seconds,
                ("uint", ulong u) => u,
                ("uint", long l) => checked((ulong)l),
                ("uint", double d) when double.IsFinite(d) && d > -1 && d < 1.85e19 => checked((ulong)d),
                ("uint", string s) => ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture),
                ("double", long l) => (double)l,
                ("double", ulong u) => (double)u,
                ("double", double d) => d,
                ("double", string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                ("string", string s) => s,
                ("string", long l) => l.ToString(CultureInfo.InvariantCulture),
                ("string", ulong u) => u.ToString(CultureInfo.InvariantCulture),
                ("string", double d) => d.ToString("R", CultureInfo.InvariantCulture),
                ("string", bool b) => b ? "true" : "false",
                ("string", ByteString b) => Encoding.UTF8.GetString(b.Span),
                ("string", Timestamp t) => t.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
                _ => throw new CelEvalException($"no conversion of {v?.GetType().Name ?? "null"} to {to}"),
            };
        }
        catch (Exception e) when (e is OverflowException or FormatException)
        {
            throw new CelEvalException($"cannot convert {v} to {to}: {e.Message}");
        }
    }
}
