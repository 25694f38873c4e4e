using System.Globalization;
using Tetragon.Docker.Policy.Linux;
using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Parsing;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>Checks one selector against its hook and compiles it to typed filters and actions.</summary>
internal sealed class SelectorCompiler(ErrorSink errors)
{
    private readonly ActionCompiler _actions = new(errors);

    public SelectorPlan Compile(KProbeSelector selector, int index, string path, HookContext hook)
    {
        var matchArgsPath = PolicyPath.Field(path, "matchArgs");
        var matchReturnArgsPath = PolicyPath.Field(path, "matchReturnArgs");
        Limit(selector.MatchArgs.Count, PolicyLimits.MaxMatchArgsPerSelector, matchArgsPath, "matchArgs filters");
        Limit(selector.MatchReturnArgs.Count, PolicyLimits.MaxMatchArgsPerSelector, matchReturnArgsPath, "matchReturnArgs filters");
        Limit(selector.MatchBinaries.Count, PolicyLimits.MaxMatchBinariesPerSelector, PolicyPath.Field(path, "matchBinaries"), "matchBinaries entries");
        Limit(selector.MatchActions.Count, PolicyLimits.MaxActionsPerSelector, PolicyPath.Field(path, "matchActions"), "actions");
        Limit(selector.MatchReturnActions.Count, PolicyLimits.MaxActionsPerSelector, PolicyPath.Field(path, "matchReturnActions"), "actions");

        var matchArgs = new List<ArgFilter>();
        for (var i = 0; i < selector.MatchArgs.Count; i++)
        {
            matchArgs.AddRange(CompileArgFilter(selector.MatchArgs[i], PolicyPath.Item(matchArgsPath, i), hook, isReturn: false));
        }

        var matchReturnArgs = new List<ArgFilter>();
        if (selector.MatchReturnArgs.Count > 0 && (!hook.HasReturn || hook.ReturnArg is null))
        {
            errors.Add(matchReturnArgsPath, "matchReturnArgs needs return: true and a returnArg");
        }
        else
        {
            for (var i = 0; i < selector.MatchReturnArgs.Count; i++)
            {
                matchReturnArgs.AddRange(CompileArgFilter(selector.MatchReturnArgs[i], PolicyPath.Item(matchReturnArgsPath, i), hook, isReturn: true));
            }
        }

        var returnActionsPath = PolicyPath.Field(path, "matchReturnActions");
        if (selector.MatchReturnActions.Count > 0 && !hook.HasReturn)
        {
            errors.Add(returnActionsPath, "matchReturnActions needs return: true");
        }

        return new SelectorPlan
        {
            Index = index,
            MatchArgs = matchArgs,
            MatchReturnArgs = matchReturnArgs,
            MatchPids = Each(selector.MatchPIDs, PolicyPath.Field(path, "matchPIDs"), CompilePid),
            MatchBinaries = Each(selector.MatchBinaries, PolicyPath.Field(path, "matchBinaries"), CompileBinary),
            MatchNamespaces = Each(selector.MatchNamespaces, PolicyPath.Field(path, "matchNamespaces"), CompileNamespace),
            MatchNamespaceChanges = Each(selector.MatchNamespaceChanges, PolicyPath.Field(path, "matchNamespaceChanges"), CompileNamespaceChanges),
            MatchCapabilities = Each(selector.MatchCapabilities, PolicyPath.Field(path, "matchCapabilities"), CompileCapabilities),
            MatchCapabilityChanges = Each(selector.MatchCapabilityChanges, PolicyPath.Field(path, "matchCapabilityChanges"), CompileCapabilities),
            Actions = Each(selector.MatchActions, PolicyPath.Field(path, "matchActions"), (a, p) => _actions.Compile(a, p, hook, isReturn: false)),
            ReturnActions = Each(selector.MatchReturnActions, returnActionsPath, (a, p) => _actions.Compile(a, p, hook, isReturn: true)),
        };
    }

    private List<ArgFilter> CompileArgFilter(ArgSelector filter, string path, HookContext hook, bool isReturn)
    {
        var result = new List<ArgFilter>();
        var operatorPath = PolicyPath.Field(path, "operator");
        if (filter.Operator.Length == 0)
        {
            return result;
        }

        if (!Operators.TryParseArg(filter.Operator, out var op))
        {
            var hint = filter.Operator is "In" or "NotIn"
                ? $" ({filter.Operator} is for matchBinaries, matchPIDs, matchNamespaces and matchCapabilities; use {(filter.Operator == "In" ? "Equal" : "NotEqual")})"
                : Suggest.Hint(filter.Operator, Operators.ArgOperatorNames);
            errors.Add(operatorPath, $"unknown operator {PolicyPath.Quote(filter.Operator)}" + hint);
            return result;
        }

        var targets = new List<(int Index, string Path, ArgDescriptor Arg)>();
        if (isReturn)
        {
            var index = filter.Index ?? 0;
            if (hook.ReturnArg is null)
            {
                return result;
            }

            if (index != 0 && index != hook.ReturnArg.Index)
            {
                errors.Add(PolicyPath.Field(path, "index"), $"matchReturnArgs index must be 0 (the return value), got {index}");
                return result;
            }

            targets.Add((index, PolicyPath.Field(path, "index"), hook.ReturnArg));
        }
        else
        {
            var indexes = new List<(int Index, string Path)>();
            if (filter.Index is { } single)
            {
                indexes.Add((single, PolicyPath.Field(path, "index")));
            }

            for (var i = 0; i < filter.Args.Count; i++)
            {
                indexes.Add((filter.Args[i], PolicyPath.Item(PolicyPath.Field(path, "args"), i)));
            }

            foreach (var (index, indexPath) in indexes)
            {
                if (hook.Args.TryGetValue(index, out var arg))
                {
                    targets.Add((index, indexPath, arg));
                }
                else
                {
                    errors.Add(indexPath, $"index {index} names no declared arg (declared args[].index: {ActionCompiler.Declared(hook)})");
                }
            }
        }

        var valuesPath = PolicyPath.Field(path, "values");
        var maxValues = Operators.IsMapOperator(op) ? PolicyLimits.MaxMapValues : PolicyLimits.MaxMatchArgValues;
        if (Operators.IsPrivilegedPortOperator(op))
        {
            if (filter.Values.Count > 0)
            {
                errors.Add(valuesPath, $"operator {filter.Operator} takes no values");
            }
        }
        else if (filter.Values.Count == 0)
        {
            errors.Add(valuesPath, $"operator {filter.Operator} needs at least one value");
        }
        else if (filter.Values.Count > maxValues)
        {
            errors.Add(valuesPath, $"too many values: {filter.Values.Count} (limit {maxValues} for {filter.Operator})");
        }

        foreach (var (index, _, arg) in targets)
        {
            if (!Operators.Applies(op, arg.Type))
            {
                errors.Add(operatorPath, $"operator {filter.Operator} cannot filter arg {index} of type {arg.TypeName} (valid: {Operators.ListFor(arg.Type)})");
                continue;
            }

            var values = new List<FilterValue>();
            for (var i = 0; i < filter.Values.Count && i < maxValues; i++)
            {
                if (ValueParser.Parse(filter.Values[i], arg.Type, arg.TypeName, op, PolicyPath.Item(valuesPath, i), errors) is { } value)
                {
                    values.Add(value);
                }
            }

            result.Add(new ArgFilter(index, arg.Type, op, values));
        }

        return result;
    }

    private PidFilter? CompilePid(PidSelector pid, string path)
    {
        var op = SetOperator(pid.Operator, path);
        if (pid.Values.Count == 0)
        {
            errors.Add(PolicyPath.Field(path, "values"), "matchPIDs needs at least one PID");
        }

        Limit(pid.Values.Count, PolicyLimits.MaxPidValues, PolicyPath.Field(path, "values"), "PIDs");
        return op is { } o ? new PidFilter(o, pid.Values, pid.FollowForks, pid.IsNamespacePid) : null;
    }

    private BinaryFilter? CompileBinary(BinarySelector binary, string path)
    {
        if (binary.Operator.Length == 0)
        {
            return null;
        }

        if (!Operators.TryParseBinary(binary.Operator, out var op))
        {
            errors.Add(PolicyPath.Field(path, "operator"), $"unknown operator {PolicyPath.Quote(binary.Operator)} for matchBinaries" + Suggest.Hint(binary.Operator, Operators.BinaryOperatorNames));
            return null;
        }

        var valuesPath = PolicyPath.Field(path, "values");
        if (binary.Values.Count == 0)
        {
            errors.Add(valuesPath, "matchBinaries needs at least one value");
        }

        Limit(binary.Values.Count, PolicyLimits.MaxBinaryValues, valuesPath, "binaries");
        for (var i = 0; i < binary.Values.Count; i++)
        {
            var value = binary.Values[i];
            if (value.Length == 0)
            {
                errors.Add(PolicyPath.Item(valuesPath, i), "binary path must not be empty");
            }
            else if (op is BinaryOperator.In or BinaryOperator.NotIn && !value.StartsWith('/'))
            {
                errors.Add(PolicyPath.Item(valuesPath, i), $"{PolicyPath.Quote(value)} is not an absolute path ({binary.Operator} compares the full path of the executable)");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(value) > PolicyLimits.MaxStringValueBytes)
            {
                errors.Add(PolicyPath.Item(valuesPath, i), $"binary path is longer than {PolicyLimits.MaxStringValueBytes} bytes");
            }
        }

        return new BinaryFilter(op, binary.Values, binary.FollowChildren);
    }

    private NamespaceFilter? CompileNamespace(NamespaceSelector selector, string path)
    {
        var op = SetOperator(selector.Operator, path);
        var type = NamespaceKind(selector.Namespace, PolicyPath.Field(path, "namespace"));
        var valuesPath = PolicyPath.Field(path, "values");
        Limit(selector.Values.Count, PolicyLimits.MaxSetValues, valuesPath, "namespaces");
        var inodes = new List<ulong>();
        var host = false;
        for (var i = 0; i < selector.Values.Count; i++)
        {
            var value = selector.Values[i];
            if (value == "host_ns")
            {
                host = true;
            }
            else if (Numbers.TryParseUnsigned(value, out var inode) && inode <= uint.MaxValue)
            {
                inodes.Add(inode);
            }
            else
            {
                errors.Add(PolicyPath.Item(valuesPath, i), $"{PolicyPath.Quote(value)} is not a namespace inode number or host_ns");
            }
        }

        if (selector.Values.Count == 0)
        {
            errors.Add(valuesPath, "matchNamespaces needs at least one value");
        }

        return op is { } o && type is { } t ? new NamespaceFilter(t, o, inodes, host) : null;
    }

    private NamespaceChangesFilter? CompileNamespaceChanges(NamespaceChangesSelector selector, string path)
    {
        var op = SetOperator(selector.Operator, path);
        var valuesPath = PolicyPath.Field(path, "values");
        Limit(selector.Values.Count, PolicyLimits.MaxSetValues, valuesPath, "namespaces");
        var kinds = new List<NamespaceType>();
        for (var i = 0; i < selector.Values.Count; i++)
        {
            if (NamespaceKind(selector.Values[i], PolicyPath.Item(valuesPath, i)) is { } kind)
            {
                kinds.Add(kind);
            }
        }

        if (selector.Values.Count == 0)
        {
            errors.Add(valuesPath, "matchNamespaceChanges needs at least one namespace");
        }

        return op is { } o ? new NamespaceChangesFilter(o, kinds) : null;
    }

    private CapabilitiesFilter? CompileCapabilities(CapabilitiesSelector selector, string path)
    {
        var op = SetOperator(selector.Operator, path);
        CapabilitySet? set = selector.Type switch
        {
            "Effective" => CapabilitySet.Effective,
            "Inheritable" => CapabilitySet.Inheritable,
            "Permitted" => CapabilitySet.Permitted,
            _ => null,
        };
        if (set is null)
        {
            errors.Add(PolicyPath.Field(path, "type"), $"unknown capability set {PolicyPath.Quote(selector.Type)}: use Effective, Inheritable or Permitted" + Suggest.Hint(selector.Type, Enum.GetNames<CapabilitySet>()));
        }

        var valuesPath = PolicyPath.Field(path, "values");
        Limit(selector.Values.Count, PolicyLimits.MaxSetValues, valuesPath, "capabilities");
        var capabilities = new List<int>();
        var mask = 0UL;
        for (var i = 0; i < selector.Values.Count; i++)
        {
            var value = selector.Values[i];
            if (CapabilityTable.TryParse(value, out var capability))
            {
                capabilities.Add(capability);
                mask |= 1UL << capability;
            }
            else
            {
                errors.Add(PolicyPath.Item(valuesPath, i), $"unknown capability {PolicyPath.Quote(value)}" + Suggest.Hint(value.ToUpperInvariant(), CapabilityTable.Names));
            }
        }

        if (selector.Values.Count == 0)
        {
            errors.Add(valuesPath, "needs at least one capability");
        }

        return op is { } o && set is { } s ? new CapabilitiesFilter(s, o, selector.IsNamespaceCapability, capabilities, mask) : null;
    }

    private SetOperator? SetOperator(string name, string path)
    {
        if (name.Length == 0)
        {
            return null;
        }

        if (Operators.TryParseSet(name, out var op))
        {
            return op;
        }

        errors.Add(PolicyPath.Field(path, "operator"), $"unknown operator {PolicyPath.Quote(name)}: use In or NotIn" + Suggest.Hint(name, Operators.SetOperatorNames));
        return null;
    }

    private NamespaceType? NamespaceKind(string name, string path)
    {
        if (name.Length == 0)
        {
            return null;
        }

        if (Enum.TryParse<NamespaceType>(name, ignoreCase: false, out var kind) && Enum.GetNames<NamespaceType>().Contains(name))
        {
            return kind;
        }

        errors.Add(path, $"unknown namespace {PolicyPath.Quote(name)}" + Suggest.Hint(name, Enum.GetNames<NamespaceType>()));
        return null;
    }

    private void Limit(int count, int limit, string path, string what)
    {
        if (count > limit)
        {
            errors.Add(path, $"too many {what}: {count.ToString(CultureInfo.InvariantCulture)} (limit {limit.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static List<TOut> Each<TIn, TOut>(IReadOnlyList<TIn> items, string path, Func<TIn, string, TOut?> compile)
        where TOut : class
    {
        var result = new List<TOut>();
        for (var i = 0; i < items.Count; i++)
        {
            if (compile(items[i], PolicyPath.Item(path, i)) is { } compiled)
            {
                result.Add(compiled);
            }
        }

        return result;
    }
}
