using System.Collections.Immutable;

namespace Tetragon.Docker.Events.Cel;

/// <summary>
/// Whether an expression can be true for an event whose type leaves some variables absent
/// (reading one is an error). Decided once per event type when the filter is built, so an event
/// of another type is refused without evaluating (an error is an exception here, and costly).
/// </summary>
internal static class CelAbsence
{
    public static bool NeverTrue(CelNode node, Func<string, bool> absent) => NeverTrue(node, absent, ImmutableHashSet<string>.Empty);

    private static bool NeverTrue(CelNode node, Func<string, bool> absent, ImmutableHashSet<string> bound) => node switch
    {
        CelLiteral { Value: false } => true,
        CelBinary { Op: "&&" } b => NeverTrue(b.Left, absent, bound) || NeverTrue(b.Right, absent, bound),
        CelBinary { Op: "||" } b => NeverTrue(b.Left, absent, bound) && NeverTrue(b.Right, absent, bound),
        CelConditional c => Errs(c.Condition, absent, bound) || (NeverTrue(c.Then, absent, bound) && NeverTrue(c.Else, absent, bound)),
        _ => Errs(node, absent, bound),
    };

    /// <summary>Certainly an error: it reads an absent variable through operations that pass errors on.</summary>
    private static bool Errs(CelNode node, Func<string, bool> absent, ImmutableHashSet<string> bound) => node switch
    {
        CelIdent id => !bound.Contains(id.Name) && absent(id.Name),
        CelSelect s => Errs(s.Operand, absent, bound),
        CelIndex i => Errs(i.Operand, absent, bound) || Errs(i.Key, absent, bound),
        CelList l => l.Items.Any(x => Errs(x, absent, bound)),
        CelUnary u => Errs(u.Operand, absent, bound),
        CelBinary { Op: "&&" or "||" } b => Errs(b.Left, absent, bound) && Errs(b.Right, absent, bound),
        CelBinary b => Errs(b.Left, absent, bound) || Errs(b.Right, absent, bound),
        CelConditional c => Errs(c.Condition, absent, bound) || (Errs(c.Then, absent, bound) && Errs(c.Else, absent, bound)),
        CelCall { Target: null, Function: "has", Args: [CelSelect s] } => Errs(s.Operand, absent, bound),
        CelCall { Target: { } t, Function: "exists" or "all" or "exists_one" or "filter" or "map" } => Errs(t, absent, bound),
        CelCall c => (c.Target is not null && Errs(c.Target, absent, bound)) || c.Args.Any(a => Errs(a, absent, bound)),
        _ => false,
    };
}
