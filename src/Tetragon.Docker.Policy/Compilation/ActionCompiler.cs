using System.Globalization;
using System.Text.RegularExpressions;
using Tetragon.Docker.Policy.Linux;
using Tetragon.Docker.Policy.Model;
using Tetragon.Docker.Policy.Parsing;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Policy.Compilation;

/// <summary>Checks and types matchActions / matchReturnActions entries.</summary>
internal sealed partial class ActionCompiler(ErrorSink errors)
{
    private static readonly string[] ActionNames = Enum.GetNames<ActionKind>();

    public ActionPlan? Compile(ActionSelector action, string path, HookContext hook, bool isReturn)
    {
        if (action.Action.Length == 0)
        {
            return null;
        }

        var actionPath = PolicyPath.Field(path, "action");
        if (!Enum.TryParse<ActionKind>(action.Action, ignoreCase: false, out var kind) || !ActionNames.Contains(action.Action))
        {
            errors.Add(actionPath, $"unknown action {PolicyPath.Quote(action.Action)}" + Suggest.Hint(action.Action, ActionNames));
            return null;
        }

        var ok = true;
        CheckFieldsUsed(action, kind, path, ref ok);
        var plan = new ActionPlan(kind);
        switch (kind)
        {
            case ActionKind.Sigkill:
                hook.Require(KernelFeature.SendSignal, "action Sigkill");
                plan = plan with { Signal = SignalTable.SigKill, SignalName = "SIGKILL" };
                break;
            case ActionKind.Signal:
                hook.Require(KernelFeature.SendSignal, "action Signal");
                if (string.IsNullOrWhiteSpace(action.ArgSig))
                {
                    Fail(PolicyPath.Field(path, "argSig"), "action Signal needs argSig (a signal number or name such as SIGKILL)", ref ok);
                }
                else if (SignalTable.TryParse(action.ArgSig, out var signal))
                {
                    plan = plan with { Signal = signal, SignalName = SignalTable.NameOf(signal) };
                }
                else
                {
                    Fail(PolicyPath.Field(path, "argSig"), $"{PolicyPath.Quote(action.ArgSig)} is not a signal (1-{SignalTable.MaxSignal} or a name such as SIGKILL)" + Suggest.Hint(action.ArgSig.ToUpperInvariant(), SignalTable.Names), ref ok);
                }

                break;
            case ActionKind.Override:
                if (hook.Kind is HookKind.Tracepoint or HookKind.Uprobe)
                {
                    Fail(actionPath, $"action Override is not supported for {hook.HookNoun} (only kprobes and lsmhooks)", ref ok);
                }
                else if (hook.Kind is HookKind.Syscall or HookKind.KernelFunction)
                {
                    hook.Require(KernelFeature.KprobeOverride | KernelFeature.FmodRet, "action Override");
                }

                if (action.ArgError is null)
                {
                    Fail(PolicyPath.Field(path, "argError"), "action Override needs argError (the return value to force, e.g. -1)", ref ok);
                }

                plan = plan with { Error = action.ArgError };
                break;
            case ActionKind.FollowFD or ActionKind.CopyFD:
                plan = plan with
                {
                    ArgFd = RequireArg(action.ArgFd, "argFd", kind, path, hook, ref ok),
                    ArgName = RequireArg(action.ArgName, "argName", kind, path, hook, ref ok),
                };
                break;
            case ActionKind.UnfollowFD:
                plan = plan with
                {
                    ArgFd = RequireArg(action.ArgFd, "argFd", kind, path, hook, ref ok),
                    ArgName = action.ArgName is null ? null : RequireArg(action.ArgName, "argName", kind, path, hook, ref ok),
                };
                break;
            case ActionKind.TrackSock or ActionKind.UntrackSock:
                {
                    var sock = RequireArg(action.ArgSock ?? 0, "argSock", kind, path, hook, ref ok);
                    if (sock is { } index && hook.Args.TryGetValue(index, out var arg) && arg.Type is not (ArgType.Sock or ArgType.Socket or ArgType.Auto))
                    {
                        Fail(PolicyPath.Field(path, "argSock"), $"argSock {index} is a {arg.TypeName} arg; {kind} needs a sock arg", ref ok);
                    }

                    plan = plan with { ArgSock = sock };
                    break;
                }

            case ActionKind.GetUrl:
                if (string.IsNullOrWhiteSpace(action.ArgUrl))
                {
                    Fail(PolicyPath.Field(path, "argUrl"), "action GetUrl needs argUrl", ref ok);
                }
                else if (!Uri.TryCreate(action.ArgUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    Fail(PolicyPath.Field(path, "argUrl"), $"{PolicyPath.Quote(action.ArgUrl)} is not an absolute http(s) URL", ref ok);
                }
                else
                {
                    plan = plan with { Url = url };
                }

                break;
            case ActionKind.DnsLookup:
                if (string.IsNullOrWhiteSpace(action.ArgFqdn))
                {
                    Fail(PolicyPath.Field(path, "argFqdn"), "action DnsLookup needs argFqdn", ref ok);
                }
                else if (!FqdnPattern().IsMatch(action.ArgFqdn))
                {
                    Fail(PolicyPath.Field(path, "argFqdn"), $"{PolicyPath.Quote(action.ArgFqdn)} is not a domain name", ref ok);
                }
                else
                {
                    plan = plan with { Fqdn = action.ArgFqdn.TrimEnd('.') };
                }

                break;
            case ActionKind.NotifyEnforcer:
                hook.Require(KernelFeature.SendSignal, "action NotifyEnforcer");
                if (action.ArgSig is { } enforcerSignal && !SignalTable.TryParse(enforcerSignal, out _))
                {
                    Fail(PolicyPath.Field(path, "argSig"), $"{PolicyPath.Quote(enforcerSignal)} is not a signal", ref ok);
                }

                plan = plan with { Error = action.ArgError, Signal = action.ArgSig is { } s && SignalTable.TryParse(s, out var n) ? n : null };
                break;
            case ActionKind.Set:
                plan = plan with { ArgIndex = RequireArg(action.ArgIndex, "argIndex", kind, path, hook, ref ok), ArgValue = action.ArgValue };
                if (action.ArgValue is null)
                {
                    Fail(PolicyPath.Field(path, "argValue"), "action Set needs argValue", ref ok);
                }

                break;
            case ActionKind.Post:
                plan = CompilePost(action, plan, path, hook, ref ok);
                break;
            default:
                break;
        }

        if (isReturn && kind is ActionKind.FollowFD or ActionKind.UnfollowFD or ActionKind.CopyFD)
        {
            Fail(actionPath, $"action {kind} cannot run on return", ref ok);
        }

        return ok ? plan : null;
    }

    private ActionPlan CompilePost(ActionSelector action, ActionPlan plan, string path, HookContext hook, ref bool ok)
    {
        if (action.RateLimit is { } rateLimit)
        {
            if (TryParseRateLimit(rateLimit, out var period))
            {
                plan = plan with { RateLimit = period };
            }
            else
            {
                Fail(PolicyPath.Field(path, "rateLimit"), $"{PolicyPath.Quote(rateLimit)} is not a rate limit: use a number of seconds, or a number with s, m or h (\"5s\", \"1m\", \"100\")", ref ok);
            }
        }

        if (action.RateLimitScope is { } scope)
        {
            if (action.RateLimit is null)
            {
                Fail(PolicyPath.Field(path, "rateLimitScope"), "rateLimitScope needs rateLimit", ref ok);
            }

            switch (scope)
            {
                case "thread":
                    plan = plan with { RateLimitScope = RateLimitScope.Thread };
                    break;
                case "process":
                    plan = plan with { RateLimitScope = RateLimitScope.Process };
                    break;
                case "global":
                    plan = plan with { RateLimitScope = RateLimitScope.Global };
                    break;
                default:
                    Fail(PolicyPath.Field(path, "rateLimitScope"), $"unknown rateLimitScope {PolicyPath.Quote(scope)}: use thread, process or global" + Suggest.Hint(scope, ["thread", "process", "global"]), ref ok);
                    break;
            }
        }

        if (action.KernelStackTrace || action.UserStackTrace)
        {
            hook.Require(KernelFeature.StackTrace, "stack traces");
        }

        return plan with { KernelStackTrace = action.KernelStackTrace, UserStackTrace = action.UserStackTrace, ImaHash = action.ImaHash };
    }

    /// <summary>Tetragon's rate limit syntax: seconds ("100", "5s"), minutes ("1m") or hours ("2h").</summary>
    internal static bool TryParseRateLimit(string text, out TimeSpan period)
    {
        period = default;
        var match = RateLimitPattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount == 0)
        {
            return false;
        }

        period = match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
        return true;
    }

    private int? RequireArg(int? index, string field, ActionKind kind, string path, HookContext hook, ref bool ok)
    {
        var fieldPath = PolicyPath.Field(path, field);
        if (index is null)
        {
            Fail(fieldPath, $"action {kind} needs {field}", ref ok);
            return null;
        }

        if (!hook.Args.ContainsKey(index.Value))
        {
            Fail(fieldPath, $"{field} {index} names no declared arg (declared: {Declared(hook)})", ref ok);
            return null;
        }

        return index;
    }

    private void CheckFieldsUsed(ActionSelector action, ActionKind kind, string path, ref bool ok)
    {
        void Only(bool present, string field, params ActionKind[] kinds)
        {
            if (present && !kinds.Contains(kind))
            {
                errors.Add(PolicyPath.Field(path, field), $"{field} is not used by action {kind} (only by {string.Join(", ", kinds)})");
            }
        }

        var before = errors.Count;
        Only(action.ArgFd is not null, "argFd", ActionKind.FollowFD, ActionKind.UnfollowFD, ActionKind.CopyFD);
        Only(action.ArgName is not null, "argName", ActionKind.FollowFD, ActionKind.UnfollowFD, ActionKind.CopyFD);
        Only(action.ArgSig is not null, "argSig", ActionKind.Signal, ActionKind.NotifyEnforcer);
        Only(action.ArgError is not null, "argError", ActionKind.Override, ActionKind.NotifyEnforcer);
        Only(action.ArgUrl is not null, "argUrl", ActionKind.GetUrl);
        Only(action.ArgFqdn is not null, "argFqdn", ActionKind.DnsLookup);
        Only(action.ArgSock is not null, "argSock", ActionKind.TrackSock, ActionKind.UntrackSock);
        Only(action.ArgIndex is not null, "argIndex", ActionKind.Set);
        Only(action.ArgValue is not null, "argValue", ActionKind.Set);
        Only(action.RateLimit is not null, "rateLimit", ActionKind.Post);
        Only(action.RateLimitScope is not null, "rateLimitScope", ActionKind.Post);
        Only(action.KernelStackTrace, "kernelStackTrace", ActionKind.Post);
        Only(action.UserStackTrace, "userStackTrace", ActionKind.Post);
        Only(action.ImaHash, "imaHash", ActionKind.Post);
        if (action.ImaHash && kind == ActionKind.Post)
        {
            // Refused rather than accepted and left out: a policy that asks for the hash relies on it.
            errors.Add(PolicyPath.Field(path, "imaHash"), "imaHash is not supported by this agent (events carry no ima_hash)");
        }

        ok &= errors.Count == before;
    }

    private void Fail(string path, string message, ref bool ok)
    {
        errors.Add(path, message);
        ok = false;
    }

    internal static string Declared(HookContext hook) =>
        hook.Args.Count == 0 ? "none" : string.Join(", ", hook.Args.Keys.Order().Select(i => i.ToString(CultureInfo.InvariantCulture)));

    [GeneratedRegex("^([0-9]{1,9})([smh]?)$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RateLimitPattern();

    [GeneratedRegex(@"^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FqdnPattern();
}
