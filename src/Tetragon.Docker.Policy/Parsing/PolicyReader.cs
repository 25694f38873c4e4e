using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Yaml;

namespace Tetragon.Docker.Policy.Parsing;

/// <summary>
/// Maps the YAML tree onto the TracingPolicy model, field by field. Shape errors (unknown
/// fields, wrong kinds, missing required fields, bad integers) are reported here with their
/// path; meaning errors are the compiler's.
/// </summary>
internal sealed class PolicyReader(ReadContext context)
{
    private static readonly string[] RootFields = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] MetadataFields = ["name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation", "creationTimestamp", "generateName"];
    private static readonly string[] SpecFields = ["kprobes", "tracepoints", "uprobes", "lsmhooks", "usdts", "loader", "options", "lists", "enforcers", "podSelector", "containerSelector"];
    private static readonly string[] KProbeFields = ["call", "syscall", "return", "message", "args", "returnArg", "returnArgAction", "selectors", "tags"];
    private static readonly string[] TracepointFields = ["subsystem", "event", "raw", "message", "args", "selectors", "tags"];
    private static readonly string[] UProbeFields = ["path", "symbols", "offsets", "refCtrOffsets", "message", "args", "return", "returnArg", "selectors", "tags"];
    private static readonly string[] LsmFields = ["hook", "message", "args", "selectors", "tags"];
    private static readonly string[] ArgFields = ["index", "type", "sizeArgIndex", "returnCopy", "maxData", "label"];
    private static readonly string[] SelectorFields = ["matchPIDs", "matchArgs", "matchActions", "matchReturnArgs", "matchReturnActions", "matchBinaries", "matchNamespaces", "matchNamespaceChanges", "matchCapabilities", "matchCapabilityChanges"];
    private static readonly string[] ArgSelectorFields = ["index", "args", "operator", "values"];
    private static readonly string[] BinaryFields = ["operator", "values", "followChildren"];
    private static readonly string[] PidFields = ["operator", "values", "isNamespacePID", "followForks"];
    private static readonly string[] NamespaceFields = ["namespace", "operator", "values"];
    private static readonly string[] NamespaceChangeFields = ["operator", "values"];
    private static readonly string[] CapabilityFields = ["type", "operator", "isNamespaceCapability", "values"];
    private static readonly string[] ActionFields = ["action", "argFd", "argName", "argUrl", "argFqdn", "argError", "argSig", "argSock", "argIndex", "argValue", "rateLimit", "rateLimitScope", "kernelStackTrace", "userStackTrace", "imaHash"];
    private static readonly string[] OptionFields = ["name", "value"];
    private static readonly string[] ListFields = ["name", "type", "values", "pattern", "validated"];
    private static readonly string[] EnforcerFields = ["calls"];
    private static readonly string[] LabelSelectorFields = ["matchLabels", "matchExpressions"];
    private static readonly string[] LabelRequirementFields = ["key", "operator", "values"];

    private const int MaxHooksPerList = PolicyLimits.MaxHooks;
    private const int MaxArgsListed = 64;
    private const int MaxSelectorsListed = 64;
    private const int MaxFilterEntries = 64;

    public TracingPolicy? Read(YNode root)
    {
        if (root is YScalar { IsNull: true })
        {
            context.Errors.Add(string.Empty, "empty document: expected a TracingPolicy", root.Start);
            return null;
        }

        var fields = context.Open(root, string.Empty, RootFields);
        if (fields is null)
        {
            return null;
        }

        var apiVersion = fields.String("apiVersion", required: true) ?? string.Empty;
        var kind = fields.String("kind", required: true) ?? string.Empty;
        var metadata = ReadMetadata(fields.Open("metadata", MetadataFields, required: true));
        var spec = ReadSpec(fields.Open("spec", SpecFields, required: true));
        return new TracingPolicy { ApiVersion = apiVersion, Kind = kind, Metadata = metadata, Spec = spec };
    }

    private static PolicyMetadata ReadMetadata(FieldReader? fields)
    {
        if (fields is null)
        {
            return new PolicyMetadata();
        }

        return new PolicyMetadata
        {
            Name = fields.String("name", required: true) ?? string.Empty,
            Namespace = fields.String("namespace"),
            Labels = fields.StringMap("labels"),
            Annotations = fields.StringMap("annotations"),
        };
    }

    private TracingPolicySpec ReadSpec(FieldReader? fields)
    {
        if (fields is null)
        {
            return new TracingPolicySpec();
        }

        if (fields.Node("usdts") is { } usdts)
        {
            context.Errors.Add(fields.PathOf("usdts"), "usdts are not supported by this agent", usdts.Start);
        }

        return new TracingPolicySpec
        {
            KProbes = fields.List("kprobes", MaxHooksPerList, ReadKProbe),
            Tracepoints = fields.List("tracepoints", MaxHooksPerList, ReadTracepoint),
            UProbes = fields.List("uprobes", MaxHooksPerList, ReadUProbe),
            LsmHooks = fields.List("lsmhooks", MaxHooksPerList, ReadLsmHook),
            Loader = fields.Boolean("loader"),
            Options = fields.List("options", MaxFilterEntries, ReadOption),
            Lists = fields.List("lists", MaxFilterEntries, ReadList),
            Enforcers = fields.List("enforcers", MaxFilterEntries, ReadEnforcer),
            PodSelector = ReadLabelSelector(fields.Open("podSelector", LabelSelectorFields)),
            ContainerSelector = ReadLabelSelector(fields.Open("containerSelector", LabelSelectorFields)),
        };
    }

    private KProbeSpec? ReadKProbe(YNode node, string path)
    {
        var fields = context.Open(node, path, KProbeFields);
        if (fields is null)
        {
            return null;
        }

        return new KProbeSpec
        {
            Call = fields.String("call", required: true) ?? string.Empty,
            Syscall = fields.Boolean("syscall", defaultValue: true),
            Return = fields.Boolean("return"),
            Message = fields.String("message"),
            Args = fields.List("args", MaxArgsListed, ReadArg),
            ReturnArg = fields.Node("returnArg") is { } returnArg && returnArg is not YScalar { IsNull: true } ? ReadArg(returnArg, fields.PathOf("returnArg")) : null,
            ReturnArgAction = fields.String("returnArgAction"),
            Selectors = fields.List("selectors", MaxSelectorsListed, ReadSelector),
            Tags = fields.StringList("tags", MaxFilterEntries),
        };
    }

    private TracepointSpec? ReadTracepoint(YNode node, string path)
    {
        var fields = context.Open(node, path, TracepointFields);
        if (fields is null)
        {
            return null;
        }

        return new TracepointSpec
        {
            Subsystem = fields.String("subsystem", required: true) ?? string.Empty,
            Event = fields.String("event", required: true) ?? string.Empty,
            Raw = fields.Boolean("raw"),
            Message = fields.String("message"),
            Args = fields.List("args", MaxArgsListed, ReadArg),
            Selectors = fields.List("selectors", MaxSelectorsListed, ReadSelector),
            Tags = fields.StringList("tags", MaxFilterEntries),
        };
    }

    private UProbeSpec? ReadUProbe(YNode node, string path)
    {
        var fields = context.Open(node, path, UProbeFields);
        if (fields is null)
        {
            return null;
        }

        return new UProbeSpec
        {
            Path = fields.String("path", required: true) ?? string.Empty,
            Symbols = fields.StringList("symbols", MaxFilterEntries),
            Offsets = ReadUnsignedList(fields, "offsets"),
            RefCtrOffsets = ReadUnsignedList(fields, "refCtrOffsets"),
            Message = fields.String("message"),
            Args = fields.List("args", MaxArgsListed, ReadArg),
            Return = fields.Boolean("return"),
            ReturnArg = fields.Node("returnArg") is { } returnArg && returnArg is not YScalar { IsNull: true } ? ReadArg(returnArg, fields.PathOf("returnArg")) : null,
            Selectors = fields.List("selectors", MaxSelectorsListed, ReadSelector),
            Tags = fields.StringList("tags", MaxFilterEntries),
        };
    }

    private LsmHookSpec? ReadLsmHook(YNode node, string path)
    {
        var fields = context.Open(node, path, LsmFields);
        if (fields is null)
        {
            return null;
        }

        return new LsmHookSpec
        {
            Hook = fields.String("hook", required: true) ?? string.Empty,
            Message = fields.String("message"),
            Args = fields.List("args", MaxArgsListed, ReadArg),
            Selectors = fields.List("selectors", MaxSelectorsListed, ReadSelector),
            Tags = fields.StringList("tags", MaxFilterEntries),
        };
    }

    private KProbeArg? ReadArg(YNode node, string path)
    {
        var fields = context.Open(node, path, ArgFields);
        if (fields is null)
        {
            return null;
        }

        return new KProbeArg
        {
            Index = fields.Int32("index", required: true) ?? -1,
            Type = fields.String("type") ?? "auto",
            SizeArgIndex = fields.Int32("sizeArgIndex") ?? 0,
            ReturnCopy = fields.Boolean("returnCopy"),
            MaxData = fields.Boolean("maxData"),
            Label = fields.String("label"),
        };
    }

    private KProbeSelector? ReadSelector(YNode node, string path)
    {
        var fields = context.Open(node, path, SelectorFields);
        if (fields is null)
        {
            return null;
        }

        return new KProbeSelector
        {
            MatchPIDs = fields.List("matchPIDs", MaxFilterEntries, ReadPid),
            MatchArgs = fields.List("matchArgs", MaxFilterEntries, ReadArgSelector),
            MatchActions = fields.List("matchActions", MaxFilterEntries, ReadAction),
            MatchReturnArgs = fields.List("matchReturnArgs", MaxFilterEntries, ReadArgSelector),
            MatchReturnActions = fields.List("matchReturnActions", MaxFilterEntries, ReadAction),
            MatchBinaries = fields.List("matchBinaries", MaxFilterEntries, ReadBinary),
            MatchNamespaces = fields.List("matchNamespaces", MaxFilterEntries, ReadNamespace),
            MatchNamespaceChanges = fields.List("matchNamespaceChanges", MaxFilterEntries, ReadNamespaceChange),
            MatchCapabilities = fields.List("matchCapabilities", MaxFilterEntries, ReadCapability),
            MatchCapabilityChanges = fields.List("matchCapabilityChanges", MaxFilterEntries, ReadCapability),
        };
    }

    private ArgSelector? ReadArgSelector(YNode node, string path)
    {
        var fields = context.Open(node, path, ArgSelectorFields);
        if (fields is null)
        {
            return null;
        }

        var index = fields.Int32("index");
        var args = new List<int>();
        if (fields.Node("args") is { } argsNode)
        {
            var argsPath = fields.PathOf("args");
            foreach (var text in context.List(argsNode, argsPath, MaxFilterEntries, (item, itemPath) =>
                         context.Integer(item, itemPath, 0, int.MaxValue, required: true) is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : null))
            {
                args.Add(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (!fields.Has("index") && !fields.Has("args"))
        {
            context.Errors.Add(fields.PathOf("index"), "missing required field", fields.Start);
        }

        return new ArgSelector
        {
            Index = index,
            Args = args,
            Operator = fields.String("operator", required: true) ?? string.Empty,
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems),
        };
    }

    private BinarySelector? ReadBinary(YNode node, string path)
    {
        var fields = context.Open(node, path, BinaryFields);
        return fields is null ? null : new BinarySelector
        {
            Operator = fields.String("operator", required: true) ?? string.Empty,
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems, required: true),
            FollowChildren = fields.Boolean("followChildren"),
        };
    }

    private PidSelector? ReadPid(YNode node, string path)
    {
        var fields = context.Open(node, path, PidFields);
        if (fields is null)
        {
            return null;
        }

        var values = new List<uint>();
        foreach (var value in ReadUnsignedList(fields, "values", uint.MaxValue, required: true))
        {
            values.Add((uint)value);
        }

        return new PidSelector
        {
            Operator = fields.String("operator", required: true) ?? string.Empty,
            Values = values,
            IsNamespacePid = fields.Boolean("isNamespacePID"),
            FollowForks = fields.Boolean("followForks"),
        };
    }

    private NamespaceSelector? ReadNamespace(YNode node, string path)
    {
        var fields = context.Open(node, path, NamespaceFields);
        return fields is null ? null : new NamespaceSelector
        {
            Namespace = fields.String("namespace", required: true) ?? string.Empty,
            Operator = fields.String("operator", required: true) ?? string.Empty,
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems, required: true),
        };
    }

    private NamespaceChangesSelector? ReadNamespaceChange(YNode node, string path)
    {
        var fields = context.Open(node, path, NamespaceChangeFields);
        return fields is null ? null : new NamespaceChangesSelector
        {
            Operator = fields.String("operator", required: true) ?? string.Empty,
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems, required: true),
        };
    }

    private CapabilitiesSelector? ReadCapability(YNode node, string path)
    {
        var fields = context.Open(node, path, CapabilityFields);
        return fields is null ? null : new CapabilitiesSelector
        {
            Type = fields.String("type") ?? "Effective",
            Operator = fields.String("operator", required: true) ?? string.Empty,
            IsNamespaceCapability = fields.Boolean("isNamespaceCapability"),
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems, required: true),
        };
    }

    private ActionSelector? ReadAction(YNode node, string path)
    {
        var fields = context.Open(node, path, ActionFields);
        return fields is null ? null : new ActionSelector
        {
            Action = fields.String("action", required: true) ?? string.Empty,
            ArgFd = fields.Int32("argFd"),
            ArgName = fields.Int32("argName"),
            ArgUrl = fields.String("argUrl"),
            ArgFqdn = fields.String("argFqdn"),
            ArgError = (int?)fields.Integer("argError", int.MinValue, int.MaxValue),
            ArgSig = fields.String("argSig"),
            ArgSock = fields.Int32("argSock"),
            ArgIndex = fields.Int32("argIndex"),
            ArgValue = fields.Integer("argValue", long.MinValue, long.MaxValue),
            RateLimit = fields.String("rateLimit"),
            RateLimitScope = fields.String("rateLimitScope"),
            KernelStackTrace = fields.Boolean("kernelStackTrace"),
            UserStackTrace = fields.Boolean("userStackTrace"),
            ImaHash = fields.Boolean("imaHash"),
        };
    }

    private OptionSpec? ReadOption(YNode node, string path)
    {
        var fields = context.Open(node, path, OptionFields);
        return fields is null ? null : new OptionSpec
        {
            Name = fields.String("name", required: true) ?? string.Empty,
            Value = fields.String("value") ?? string.Empty,
        };
    }

    private ListSpec? ReadList(YNode node, string path)
    {
        var fields = context.Open(node, path, ListFields);
        return fields is null ? null : new ListSpec
        {
            Name = fields.String("name", required: true) ?? string.Empty,
            Type = fields.String("type"),
            Values = fields.StringList("values", PolicyLimits.MaxSequenceItems),
            Pattern = fields.String("pattern"),
            Validated = fields.Boolean("validated"),
        };
    }

    private EnforcerSpec? ReadEnforcer(YNode node, string path)
    {
        var fields = context.Open(node, path, EnforcerFields);
        return fields is null ? null : new EnforcerSpec { Calls = fields.StringList("calls", PolicyLimits.MaxSequenceItems, required: true) };
    }

    private LabelSelector? ReadLabelSelector(FieldReader? fields)
    {
        if (fields is null)
        {
            return null;
        }

        return new LabelSelector
        {
            MatchLabels = fields.StringMap("matchLabels"),
            MatchExpressions = fields.List("matchExpressions", MaxFilterEntries, (node, path) =>
            {
                var requirement = context.Open(node, path, LabelRequirementFields);
                return requirement is null ? null : new LabelSelectorRequirement
                {
                    Key = requirement.String("key", required: true) ?? string.Empty,
                    Operator = requirement.String("operator", required: true) ?? string.Empty,
                    Values = requirement.StringList("values", PolicyLimits.MaxSequenceItems),
                };
            }),
        };
    }

    private List<ulong> ReadUnsignedList(FieldReader fields, string field, ulong max = ulong.MaxValue, bool required = false)
    {
        var result = new List<ulong>();
        var path = fields.PathOf(field);
        var texts = context.List(fields.Node(field, required), path, PolicyLimits.MaxSequenceItems, (item, itemPath) => context.String(item, itemPath, required: true) is { } s ? new Indexed(s, itemPath) : null);
        foreach (var (text, itemPath) in texts)
        {
            if (Numbers.TryParseUnsigned(text, out var value) && value <= max)
            {
                result.Add(value);
            }
            else
            {
                context.Errors.Add(itemPath, $"expected an integer in [0, {max}], got {PolicyPath.Quote(text)}");
            }
        }

        return result;
    }

    private sealed record Indexed(string Text, string Path);
}
