using Tetragon.Docker.Api;

namespace Tetragon.Docker.Events.Cel;

/// <summary>
/// A filter's <c>cel_expression</c> (tetra getevents --cel-expression): a CEL expression over the
/// event, whose variables are the event types (<c>process_exec</c>, <c>process_kprobe</c>, ...),
/// as in Tetragon. It must be a bool. An event it cannot be evaluated for (another event type, a
/// missing map key) does not match, unless <c>||</c> or <c>&amp;&amp;</c> decide without that side.
/// </summary>
public static class CelFilter
{
    /// <summary>Parses and type-checks; a <see cref="CelException"/> names what is wrong and where.</summary>
    public static Func<GetEventsResponse, bool> Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var compiler = new CelCompiler();
        var tree = CelParser.Parse(expression);
        var (type, eval) = compiler.Compile(tree);
        if (type.Kind is not (CelKind.Bool or CelKind.Dyn))
        {
            throw new CelException($"the expression is a {type}, not a bool", 1);
        }

        var locals = compiler.Locals;
        // Per event type (the oneof's case numbers), whether nothing of that type can match.
        var cases = GetEventsResponse.Descriptor.Oneofs.Single(o => o.Name == "event").Fields;
        var neverTrue = cases.Where(c => CelAbsence.NeverTrue(tree, name => name != c.Name && cases.Any(f => f.Name == name)))
            .Select(c => c.FieldNumber).ToHashSet();

        return response =>
        {
            if (neverTrue.Contains((int)response.EventCase))
            {
                return false;
            }

            try
            {
                return eval(new CelFrame(response, locals)) is true;
            }
            catch (Exception)
            {
                // This event lacks what the expression reads (CelEvalException): no match, as in
                // Tetragon. Whatever else an evaluation throws must not reach the event thread either.
                return false;
            }
        };
    }
}
