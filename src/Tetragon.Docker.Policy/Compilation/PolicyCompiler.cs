using System.Text.RegularExpressions;
using Tetragon.Docker.Policy.Linux;
using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Parsing;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>
/// Checks what a TracingPolicy means (names, hooks, args, references between fields, limits)
/// and compiles it into a <see cref="PolicyPlan"/>. Every problem is reported; the plan is
/// only used when there are none.
/// </summary>
internal sealed partial class PolicyCompiler(ErrorSink errors)
{
    private static readonly string[] Kinds = [TracingPolicy.KindTracingPolicy, TracingPolicy.KindTracingPolicyNamespaced];
    private readonly SelectorCompiler _selectors = new(errors);

    public PolicyPlan Compile(TracingPolicy policy)
    {
        CheckHeader(policy);
        var spec = policy.Spec;
        var lists = CompileLists(spec.Lists);
        var hooks = new List<HookPlan>();
        for (var i = 0; i < spec.KProbes.Count; i++)
        {
            hooks.AddRange(CompileKProbe(spec.KProbes[i], PolicyPath.Item("spec.kprobes", i), lists));
        }

        for (var i = 0; i < spec.Tracepoints.Count; i++)
        {
            hooks.AddIfNotNull(CompileTracepoint(spec.Tracepoints[i], PolicyPath.Item("spec.tracepoints", i)));
        }

        for (var i = 0; i < spec.UProbes.Count; i++)
        {
            hooks.AddIfNotNull(CompileUProbe(spec.UProbes[i], PolicyPath.Item("spec.uprobes", i)));
        }

        for (var i = 0; i < spec.LsmHooks.Count; i++)
        {
            hooks.AddIfNotNull(CompileLsm(spec.LsmHooks[i], PolicyPath.Item("spec.lsmhooks", i)));
        }

        // Accepted and ignored, these would leave a policy doing less than it says.
        if (spec.Loader)
        {
            errors.Add("spec.loader", "loader events (process_loader) are not supported by this agent");
        }

        if (spec.Enforcers.Count > 0)
        {
            errors.Add("spec.enforcers", "enforcer programs are not supported by this agent: use Sigkill, Signal or Override in matchActions");
        }

        if (spec.KProbes.Count + spec.Tracepoints.Count + spec.UProbes.Count + spec.LsmHooks.Count == 0)
        {
            errors.Add("spec", "no hooks: add at least one of kprobes, tracepoints, uprobes or lsmhooks");
        }

        if (hooks.Count > PolicyLimits.MaxHooks)
        {
            errors.Add("spec", $"too many hooks: {hooks.Count} (limit {PolicyLimits.MaxHooks})");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Options.Count; i++)
        {
            if (spec.Options[i].Name.Length > 0 && !options.TryAdd(spec.Options[i].Name, spec.Options[i].Value))
            {
                errors.Add(PolicyPath.Field(PolicyPath.Item("spec.options", i), "name"), $"duplicate option {PolicyPath.Quote(spec.Options[i].Name)}");
            }
        }

        var mode = PolicyMode.Enforce;
        if (options.TryGetValue(PolicyPlan.ModeOption, out var modeText))
        {
            if (PolicyModeNames.TryParse(modeText, out var parsed))
            {
                mode = parsed;
            }
            else
            {
                var at = spec.Options.ToList().FindIndex(o => o.Name == PolicyPlan.ModeOption);
                errors.Add(PolicyPath.Field(PolicyPath.Item("spec.options", at), "value"), $"policy-mode {PolicyPath.Quote(modeText)} is not enforce or monitor");
            }
        }

        CheckLabelSelector(spec.PodSelector, "spec.podSelector", containerOnly: false);
        CheckLabelSelector(spec.ContainerSelector, "spec.containerSelector", containerOnly: true);

        return new PolicyPlan
        {
            Name = policy.Metadata.Name,
            Scope = policy.Kind == TracingPolicy.KindTracingPolicyNamespaced ? PolicyScope.Namespaced : PolicyScope.Cluster,
            Namespace = policy.Metadata.Namespace,
            Hooks = hooks,
            Options = options,
            Mode = mode,
            PodSelector = spec.PodSelector,
            ContainerSelector = spec.ContainerSelector,
        };
    }

    private void CheckHeader(TracingPolicy policy)
    {
        if (policy.ApiVersion.Length > 0 && policy.ApiVersion != TracingPolicy.ApiVersionV1Alpha1)
        {
            errors.Add("apiVersion", $"unsupported apiVersion {PolicyPath.Quote(policy.ApiVersion)}: use {TracingPolicy.ApiVersionV1Alpha1}");
        }

        if (policy.Kind.Length > 0 && !Kinds.Contains(policy.Kind))
        {
            errors.Add("kind", $"unsupported kind {PolicyPath.Quote(policy.Kind)}: use TracingPolicy or TracingPolicyNamespaced" + Suggest.Hint(policy.Kind, Kinds));
        }

        var name = policy.Metadata.Name;
        if (name.Length > 0 && (name.Length > 253 || !NamePattern().IsMatch(name)))
        {
            errors.Add("metadata.name", $"invalid name {PolicyPath.Quote(name)}: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }

        if (policy.Metadata.Namespace is { Length: > 0 } ns && (ns.Length > 63 || !LabelPattern().IsMatch(ns)))
        {
            errors.Add("metadata.namespace", $"invalid namespace {PolicyPath.Quote(ns)}");
        }
    }

    private Dictionary<string, IReadOnlyList<string>> CompileLists(IReadOnlyList<ListSpec> lists)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < lists.Count; i++)
        {
            var list = lists[i];
            var path = PolicyPath.Item("spec.lists", i);
            if (list.Type is { } type && type is not ("syscalls" or ""))
            {
                errors.Add(PolicyPath.Field(path, "type"), type is "generated_syscalls" or "generated_ftrace"
                    ? $"list type {type} is not supported by this agent; use syscalls"
                    : $"unknown list type {PolicyPath.Quote(type)}" + Suggest.Hint(type, ["syscalls", "generated_syscalls", "generated_ftrace"]));
                continue;
            }

            var names = new List<string>();
            for (var j = 0; j < list.Values.Count; j++)
            {
                if (SyscallTable.TryGetNumber(list.Values[j], out _))
                {
                    names.Add(SyscallTable.Normalize(list.Values[j]));
                }
                else
                {
                    errors.Add(PolicyPath.Item(PolicyPath.Field(path, "values"), j), UnknownSyscall(list.Values[j]));
                }
            }

            if (list.Name.Length > 0 && !result.TryAdd(list.Name, names))
            {
                errors.Add(PolicyPath.Field(path, "name"), $"duplicate list name {PolicyPath.Quote(list.Name)}");
            }
        }

        return result;
    }

    private IEnumerable<HookPlan> CompileKProbe(KProbeSpec probe, string path, Dictionary<string, IReadOnlyList<string>> lists)
    {
        if (probe.Call.Length == 0)
        {
            return [];
        }

        var callPath = PolicyPath.Field(path, "call");
        var targets = new List<(HookKind Kind, HookTarget Target)>();
        if (probe.Call.StartsWith("list:", StringComparison.Ordinal))
        {
            var listName = probe.Call["list:".Length..];
            if (!lists.TryGetValue(listName, out var names))
            {
                errors.Add(callPath, $"no spec.lists entry named {PolicyPath.Quote(listName)}" + Suggest.Hint(listName, lists.Keys));
                return [];
            }

            if (!probe.Syscall)
            {
                errors.Add(PolicyPath.Field(path, "syscall"), "a list: call hooks syscalls; set syscall: true");
            }

            targets.AddRange(names.Select(n => (HookKind.Syscall, (HookTarget)SyscallTargetOf(n))));
        }
        else if (!SymbolPattern().IsMatch(probe.Call))
        {
            errors.Add(callPath, $"{PolicyPath.Quote(probe.Call)} is not a kernel symbol name");
            return [];
        }
        else if (probe.Syscall)
        {
            if (!SyscallTable.TryGetNumber(probe.Call, out _))
            {
                errors.Add(callPath, UnknownSyscall(probe.Call) + " (set syscall: false to hook a kernel function)");
                return [];
            }

            targets.Add((HookKind.Syscall, SyscallTargetOf(probe.Call)));
        }
        else
        {
            targets.Add((HookKind.KernelFunction, new KernelFunctionTarget(probe.Call)));
        }

        var args = CompileArgs(probe.Args, path, PolicyLimits.MaxHookArgs - 1);
        var returnArg = CompileReturnArg(probe.Return, probe.ReturnArg, path);
        ReturnArgAction? returnArgAction = null;
        if (probe.ReturnArgAction is { } action)
        {
            var actionPath = PolicyPath.Field(path, "returnArgAction");
            if (!Enum.TryParse<ReturnArgAction>(action, ignoreCase: false, out var parsed) || !Enum.GetNames<ReturnArgAction>().Contains(action))
            {
                errors.Add(actionPath, $"unknown returnArgAction {PolicyPath.Quote(action)}" + Suggest.Hint(action, Enum.GetNames<ReturnArgAction>()));
            }
            else if (!probe.Return)
            {
                errors.Add(actionPath, "returnArgAction needs return: true");
            }
            else if (parsed != ReturnArgAction.Post)
            {
                errors.Add(actionPath, $"returnArgAction {action} is not supported by this agent (Post is)");
            }
            else
            {
                returnArgAction = parsed;
            }
        }

        var plans = new List<HookPlan>();
        foreach (var (kind, target) in targets)
        {
            var hook = new HookContext(kind, path, args, probe.Return, returnArg);
            hook.Require(KernelFeature.Kprobe, "kprobes");
            if (probe.Return)
            {
                hook.Require(KernelFeature.Kretprobe, "return: true");
            }

            plans.Add(Finish(hook, target, probe.Selectors, probe.Message, probe.Tags, returnArgAction, args, plans.Count == 0));
        }

        return plans;
    }

    private HookPlan? CompileTracepoint(TracepointSpec tracepoint, string path)
    {
        var ok = true;
        foreach (var (field, value) in new[] { ("subsystem", tracepoint.Subsystem), ("event", tracepoint.Event) })
        {
            if (value.Length > 0 && !TracepointPattern().IsMatch(value))
            {
                errors.Add(PolicyPath.Field(path, field), $"{PolicyPath.Quote(value)} is not a tracepoint {field} name");
                ok = false;
            }
        }

        var args = CompileArgs(tracepoint.Args, path, PolicyLimits.MaxTracepointArgIndex);
        var hook = new HookContext(HookKind.Tracepoint, path, args, false, null);
        hook.Require(KernelFeature.Tracepoint, "tracepoints");
        var plan = Finish(hook, new TracepointTarget(tracepoint.Subsystem, tracepoint.Event, tracepoint.Raw), tracepoint.Selectors, tracepoint.Message, tracepoint.Tags, null, args, true);
        return ok && tracepoint.Subsystem.Length > 0 && tracepoint.Event.Length > 0 ? plan : null;
    }

    private HookPlan? CompileUProbe(UProbeSpec uprobe, string path)
    {
        if (uprobe.Path.Length > 0 && (!uprobe.Path.StartsWith('/') || uprobe.Path.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add(PolicyPath.Field(path, "path"), $"{PolicyPath.Quote(uprobe.Path)} is not an absolute path");
        }

        if (uprobe.Symbols.Count == 0 && uprobe.Offsets.Count == 0)
        {
            errors.Add(PolicyPath.Field(path, "symbols"), "uprobe needs symbols (or offsets)");
        }

        if (uprobe.Symbols.Count > 0 && uprobe.Offsets.Count > 0)
        {
            errors.Add(PolicyPath.Field(path, "offsets"), "give symbols or offsets (file offsets in the binary), not both");
        }

        for (var i = 0; i < uprobe.Symbols.Count; i++)
        {
            if (!SymbolPattern().IsMatch(uprobe.Symbols[i]))
            {
                errors.Add(PolicyPath.Item(PolicyPath.Field(path, "symbols"), i), $"{PolicyPath.Quote(uprobe.Symbols[i])} is not a symbol name");
            }
        }

        var probes = Math.Max(uprobe.Symbols.Count, uprobe.Offsets.Count);
        if (uprobe.RefCtrOffsets.Count > 0 && uprobe.RefCtrOffsets.Count != probes)
        {
            errors.Add(PolicyPath.Field(path, "refCtrOffsets"), $"refCtrOffsets has {uprobe.RefCtrOffsets.Count} entries; it needs one per symbol/offset ({probes})");
        }

        var args = CompileArgs(uprobe.Args, path, PolicyLimits.MaxHookArgs - 1);
        var returnArg = CompileReturnArg(uprobe.Return, uprobe.ReturnArg, path);
        var hook = new HookContext(HookKind.Uprobe, path, args, uprobe.Return, returnArg);
        hook.Require(KernelFeature.Uprobe, "uprobes");
        var target = new UprobeTarget(uprobe.Path, uprobe.Symbols, uprobe.Offsets, uprobe.RefCtrOffsets);
        return Finish(hook, target, uprobe.Selectors, uprobe.Message, uprobe.Tags, null, args, true);
    }

    private HookPlan? CompileLsm(LsmHookSpec lsm, string path)
    {
        var hookName = lsm.Hook.StartsWith("security_", StringComparison.Ordinal) ? lsm.Hook["security_".Length..] : lsm.Hook;
        if (lsm.Hook.Length > 0 && !SymbolPattern().IsMatch(lsm.Hook))
        {
            errors.Add(PolicyPath.Field(path, "hook"), $"{PolicyPath.Quote(lsm.Hook)} is not an LSM hook name");
        }

        var args = CompileArgs(lsm.Args, path, PolicyLimits.MaxHookArgs - 1);
        var hook = new HookContext(HookKind.Lsm, path, args, false, null);
        hook.Require(KernelFeature.BpfLsm, "lsmhooks");
        return lsm.Hook.Length == 0 ? null : Finish(hook, new LsmTarget(hookName), lsm.Selectors, lsm.Message, lsm.Tags, null, args, true);
    }

    private HookPlan Finish(HookContext hook, HookTarget target, IReadOnlyList<KProbeSelector> selectors, string? message, IReadOnlyList<string> tags, ReturnArgAction? returnArgAction, Dictionary<int, ArgDescriptor> args, bool report)
    {
        // A list: call expands to many hooks; report selector errors once, for the first.
        var sink = report ? _selectors : new SelectorCompiler(new ErrorSink());
        var selectorsPath = PolicyPath.Field(hook.Path, "selectors");
        if (report && selectors.Count > PolicyLimits.MaxSelectorsPerHook)
        {
            errors.Add(selectorsPath, $"too many selectors: {selectors.Count} (Tetragon allows {PolicyLimits.MaxSelectorsPerHook} per hook)");
        }

        var compiled = new List<SelectorPlan>();
        for (var i = 0; i < selectors.Count; i++)
        {
            compiled.Add(sink.Compile(selectors[i], i, PolicyPath.Item(selectorsPath, i), hook));
        }

        if (report)
        {
            CheckMessageAndTags(message, tags, hook.Path);
        }

        if (args.Values.Any(a => a.MaxData))
        {
            hook.Require(KernelFeature.LargeBuffers, "maxData");
        }

        return new HookPlan
        {
            Kind = hook.Kind,
            SourcePath = hook.Path,
            Target = target,
            Args = args.Values.OrderBy(a => a.Index).ToList(),
            Return = hook.HasReturn,
            ReturnArg = hook.ReturnArg,
            ReturnArgAction = returnArgAction,
            Selectors = compiled,
            Message = message,
            Tags = tags,
            Requirements = hook.Requirements,
        };
    }

    private Dictionary<int, ArgDescriptor> CompileArgs(IReadOnlyList<KProbeArg> args, string hookPath, int maxIndex)
    {
        var result = new Dictionary<int, ArgDescriptor>();
        var argsPath = PolicyPath.Field(hookPath, "args");
        if (args.Count > maxIndex + 1)
        {
            errors.Add(argsPath, $"too many args: {args.Count} (limit {maxIndex + 1})");
        }

        for (var i = 0; i < args.Count; i++)
        {
            var path = PolicyPath.Item(argsPath, i);
            var arg = args[i];
            var descriptor = CompileArg(arg, path, maxIndex);
            if (descriptor is null)
            {
                continue;
            }

            if (!result.TryAdd(descriptor.Index, descriptor))
            {
                errors.Add(PolicyPath.Field(path, "index"), $"index {descriptor.Index} is declared twice");
            }
        }

        return result;
    }

    private ArgDescriptor? CompileArg(KProbeArg arg, string path, int maxIndex)
    {
        var ok = true;
        if (arg.Index > maxIndex)
        {
            errors.Add(PolicyPath.Field(path, "index"), $"index {arg.Index} is out of range [0, {maxIndex}]");
            ok = false;
        }

        if (!ArgTypes.TryParse(arg.Type, out var type))
        {
            errors.Add(PolicyPath.Field(path, "type"), $"unknown arg type {PolicyPath.Quote(arg.Type)}" + Suggest.Hint(arg.Type, ArgTypes.Names));
            return null;
        }

        int? sizeArgIndex = null;
        if (arg.SizeArgIndex != 0)
        {
            var sizePath = PolicyPath.Field(path, "sizeArgIndex");
            if (!ArgTypes.IsBuffer(type))
            {
                errors.Add(sizePath, $"sizeArgIndex is only used with char_buf and char_iovec, not {arg.Type}");
                ok = false;
            }
            else if (arg.SizeArgIndex > PolicyLimits.MaxHookArgs)
            {
                errors.Add(sizePath, $"sizeArgIndex {arg.SizeArgIndex} is out of range [1, {PolicyLimits.MaxHookArgs}] (it is 1-based: sizeArgIndex 3 is the arg at index 2)");
                ok = false;
            }
            else if (arg.SizeArgIndex - 1 == arg.Index)
            {
                errors.Add(sizePath, $"sizeArgIndex {arg.SizeArgIndex} names this arg itself (it is 1-based: use index + 1 of the size arg)");
                ok = false;
            }
            else
            {
                sizeArgIndex = arg.SizeArgIndex - 1;
            }
        }

        if (arg.ReturnCopy && !ArgTypes.IsBuffer(type))
        {
            errors.Add(PolicyPath.Field(path, "returnCopy"), $"returnCopy is only used with char_buf and char_iovec, not {arg.Type}");
            ok = false;
        }

        if (arg.MaxData && type != ArgType.CharBuf)
        {
            errors.Add(PolicyPath.Field(path, "maxData"), $"maxData is only used with char_buf, not {arg.Type}");
            ok = false;
        }

        if (arg.Label is { Length: > 128 })
        {
            errors.Add(PolicyPath.Field(path, "label"), "label is longer than 128 characters");
            ok = false;
        }

        return ok && arg.Index >= 0 ? new ArgDescriptor(arg.Index, type, arg.Type, sizeArgIndex, arg.ReturnCopy, arg.MaxData, arg.Label) : null;
    }

    private ArgDescriptor? CompileReturnArg(bool hasReturn, KProbeArg? returnArg, string hookPath)
    {
        var path = PolicyPath.Field(hookPath, "returnArg");
        if (returnArg is null)
        {
            if (hasReturn)
            {
                errors.Add(path, "return: true needs a returnArg (e.g. index: 0, type: int)");
            }

            return null;
        }

        if (!hasReturn)
        {
            errors.Add(path, "returnArg needs return: true");
        }

        return CompileArg(returnArg, path, PolicyLimits.MaxHookArgs - 1);
    }

    private void CheckMessageAndTags(string? message, IReadOnlyList<string> tags, string hookPath)
    {
        if (message is { Length: > PolicyLimits.MaxMessageLength })
        {
            errors.Add(PolicyPath.Field(hookPath, "message"), $"message is {message.Length} characters (limit {PolicyLimits.MaxMessageLength})");
        }

        var tagsPath = PolicyPath.Field(hookPath, "tags");
        if (tags.Count > PolicyLimits.MaxTags)
        {
            errors.Add(tagsPath, $"too many tags: {tags.Count} (limit {PolicyLimits.MaxTags})");
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]))
            {
                errors.Add(PolicyPath.Item(tagsPath, i), "tag must not be empty");
            }
        }
    }

    private void CheckLabelSelector(LabelSelector? selector, string path, bool containerOnly)
    {
        if (selector is null)
        {
            return;
        }

        foreach (var key in selector.MatchLabels.Keys)
        {
            if (containerOnly && key != "name")
            {
                errors.Add(PolicyPath.Field(PolicyPath.Field(path, "matchLabels"), PolicyPath.SafeKey(key)), "containerSelector supports only the \"name\" field");
            }
        }

        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var requirement = selector.MatchExpressions[i];
            var itemPath = PolicyPath.Item(PolicyPath.Field(path, "matchExpressions"), i);
            if (containerOnly && requirement.Key.Length > 0 && requirement.Key != "name")
            {
                errors.Add(PolicyPath.Field(itemPath, "key"), "containerSelector supports only the \"name\" field");
            }

            string[] operators = ["In", "NotIn", "Exists", "DoesNotExist"];
            if (requirement.Operator.Length > 0 && !operators.Contains(requirement.Operator))
            {
                errors.Add(PolicyPath.Field(itemPath, "operator"), $"unknown operator {PolicyPath.Quote(requirement.Operator)}" + Suggest.Hint(requirement.Operator, operators));
            }
            else if (requirement.Operator is "In" or "NotIn" && requirement.Values.Count == 0)
            {
                errors.Add(PolicyPath.Field(itemPath, "values"), $"operator {requirement.Operator} needs at least one value");
            }
            else if (requirement.Operator is "Exists" or "DoesNotExist" && requirement.Values.Count > 0)
            {
                errors.Add(PolicyPath.Field(itemPath, "values"), $"operator {requirement.Operator} takes no values");
            }
        }
    }

    private static SyscallTarget SyscallTargetOf(string call)
    {
        var name = SyscallTable.Normalize(call);
        SyscallTable.TryGetNumber(name, out var number);
        return new SyscallTarget(name, number, SyscallTable.KernelSymbol(name));
    }

    private static string UnknownSyscall(string call) =>
        $"unknown syscall {PolicyPath.Quote(call)}" + Suggest.Hint(SyscallTable.Normalize(call), SyscallTable.Names);

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.$]{0,254}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SymbolPattern();

    [GeneratedRegex("^[A-Za-z0-9_]{1,128}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TracepointPattern();
}
