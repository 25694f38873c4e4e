using System.Globalization;
using System.Text;

namespace Tetragon.Docker.Events.Cel;

/// <summary>A CEL expression that does not parse or type-check; <see cref="Position"/> is 1-based.</summary>
public sealed class CelException(string message, int position) : Exception($"{message} (at column {position})")
{
    public int Position { get; } = position;
}

internal abstract record CelNode(int Pos);

internal sealed record CelLiteral(object? Value, int Pos) : CelNode(Pos);

internal sealed record CelIdent(string Name, int Pos) : CelNode(Pos);

internal sealed record CelSelect(CelNode Operand, string Field, int Pos) : CelNode(Pos);

internal sealed record CelCall(CelNode? Target, string Function, IReadOnlyList<CelNode> Args, int Pos) : CelNode(Pos);

internal sealed record CelIndex(CelNode Operand, CelNode Key, int Pos) : CelNode(Pos);

internal sealed record CelList(IReadOnlyList<CelNode> Items, int Pos) : CelNode(Pos);

internal sealed record CelUnary(string Op, CelNode Operand, int Pos) : CelNode(Pos);

internal sealed record CelBinary(string Op, CelNode Left, CelNode Right, int Pos) : CelNode(Pos);

internal sealed record CelConditional(CelNode Condition, CelNode Then, CelNode Else, int Pos) : CelNode(Pos);

/// <summary>
/// CEL's grammar (cel-spec's langdef) by recursive descent: ?: below ||, below &&, below the
/// relations (and <c>in</c>), below + -, below * / %, below unary ! -, below member, call and index.
/// </summary>
internal sealed class CelParser
{
    /// <summary>Limits of what a client may send (cel-go's defaults): nesting is recursion here, and a stack overflow would end the agent.</summary>
    public const int MaxLength = 100_000;
    public const int MaxDepth = 250;

    private readonly List<(string Kind, string Text, object? Value, int Pos)> tokens;
    private int at;
    private int depth;
    private readonly Dictionary<CelNode, int> depths = new(ReferenceEqualityComparer.Instance);

    private CelParser(string source) => tokens = Lex(source);

    public static CelNode Parse(string source)
    {
        if (source.Length > MaxLength)
        {
            throw new CelException($"the expression is {source.Length} characters long; at most {MaxLength}", MaxLength + 1);
        }

        var parser = new CelParser(source);
        var node = parser.Conditional();
        var rest = parser.Peek;
        if (rest.Kind != "eof")
        {
            throw new CelException($"unexpected '{rest.Text}'", rest.Pos);
        }

        return node;
    }

    private (string Kind, string Text, object? Value, int Pos) Peek => tokens[at];

    private bool Accept(string text)
    {
        if (Peek.Kind == "op" && Peek.Text == text)
        {
            at++;
            return true;
        }

        return false;
    }

    private void Expect(string text)
    {
        if (!Accept(text))
        {
            throw new CelException($"expected '{text}', found '{(Peek.Kind == "eof" ? "end of expression" : Peek.Text)}'", Peek.Pos);
        }
    }

    /// <summary>Parsing recursion (parentheses, lists, arguments, ?:, unary chains), bounded before it can overflow the stack.</summary>
    private T Nested<T>(Func<T> parse)
    {
        if (++depth > MaxDepth)
        {
            throw new CelException($"the expression nests deeper than {MaxDepth}", Peek.Pos);
        }

        try
        {
            return parse();
        }
        finally
        {
            depth--;
        }
    }

    /// <summary>Records a node's depth in the tree (a long chain of a + b + ... is as deep as it is long): compiling and evaluating recurse that deep.</summary>
    private T Node<T>(T node, params CelNode[] children)
        where T : CelNode
    {
        var d = 1;
        foreach (var c in children)
        {
            d = Math.Max(d, depths[c] + 1);
        }

        if (d > MaxDepth)
        {
            throw new CelException($"the expression nests deeper than {MaxDepth}", node.Pos);
        }

        depths[node] = d;
        return node;
    }

    private CelNode Conditional() => Nested(() =>
    {
        var condition = Or();
        var pos = Peek.Pos;
        if (!Accept("?"))
        {
            return condition;
        }

        var then = Conditional();
        Expect(":");
        var other = Conditional();
        return Node(new CelConditional(condition, then, other, pos), condition, then, other);
    });

    private CelNode Or() => LeftAssociative(And, "||");

    private CelNode And() => LeftAssociative(Relation, "&&");

    private CelNode Relation() => LeftAssociative(Addition, "==", "!=", "<", "<=", ">", ">=", "in");

    private CelNode Addition() => LeftAssociative(Multiplication, "+", "-");

    private CelNode Multiplication() => LeftAssociative(Unary, "*", "/", "%");

    private CelNode LeftAssociative(Func<CelNode> next, params string[] ops)
    {
        var left = next();
        while (true)
        {
            var token = Peek;
            var op = ops.FirstOrDefault(o => (token.Kind == "op" || (o == "in" && token.Kind == "ident")) && token.Text == o);
            if (op is null)
            {
                return left;
            }

            at++;
            var right = next();
            left = Node(new CelBinary(op, left, right, token.Pos), left, right);
        }
    }

    private CelNode Unary()
    {
        var pos = Peek.Pos;

        if (Accept("!"))
        {
            var operand = Nested(Unary);
            return Node(new CelUnary("!", operand, pos), operand);
        }

        if (Accept("-"))
        {
            // A negative literal is one number: -9223372036854775808 fits only that way.
            if (Peek.Kind == "number" && Peek.Value is ulong magnitude && magnitude <= 9223372036854775808UL && Peek.Text.EndsWith('i'))
            {
                at++;
                return Member(Node(new CelLiteral(magnitude == 9223372036854775808UL ? long.MinValue : -(long)magnitude, pos)));
            }

            var negated = Nested(Unary);
            return Node(new CelUnary("-", negated, pos), negated);
        }

        return Member(Primary());
    }

    private CelNode Member(CelNode node)
    {
        while (true)
        {
            var pos = Peek.Pos;
            if (Accept("."))
            {
                var name = Identifier();
                if (Accept("("))
                {
                    var args = Arguments(")");
                    node = Node(new CelCall(node, name, args, pos), [node, .. args]);
                }
                else
                {
                    node = Node(new CelSelect(node, name, pos), node);
                }
            }
            else if (Accept("["))
            {
                var key = Conditional();
                Expect("]");
                node = Node(new CelIndex(node, key, pos), node, key);
            }
            else
            {
                return node;
            }
        }
    }

    private CelNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case "number" or "string" or "bytes":
                at++;
                return Node(new CelLiteral(token.Kind == "number" && token.Text.EndsWith('i') ? ToInt(token) : token.Value, token.Pos));
            case "ident":
                at++;
                if (Accept("("))
                {
                    var args = Arguments(")");
                    return Node(new CelCall(null, token.Text, args, token.Pos), [.. args]);
                }

                return Node<CelNode>(token.Text switch
                {
                    "true" => new CelLiteral(true, token.Pos),
                    "false" => new CelLiteral(false, token.Pos),
                    "null" => new CelLiteral(null, token.Pos),
                    _ => new CelIdent(token.Text, token.Pos),
                });
            case "op" when token.Text == "(":
                at++;
                var inner = Conditional();
                Expect(")");
                return inner;
            case "op" when token.Text == "[":
                at++;
                var items = Arguments("]");
                return Node(new CelList(items, token.Pos), [.. items]);
            default:
                throw new CelException(token.Kind == "eof" ? "unexpected end of expression" : $"unexpected '{token.Text}'", token.Pos);
        }
    }

    private static long ToInt((string Kind, string Text, object? Value, int Pos) token) =>
        token.Value is ulong v && v <= long.MaxValue ? (long)v : throw new CelException($"integer {token.Text[..^1]} is out of range", token.Pos);

    private string Identifier()
    {
        var token = Peek;
        if (token.Kind != "ident")
        {
            throw new CelException($"expected a field name, found '{token.Text}'", token.Pos);
        }

        at++;
        return token.Text;
    }

    private List<CelNode> Arguments(string close)
    {
        var args = new List<CelNode>();
        if (Accept(close))
        {
            return args;
        }

        do
        {
            args.Add(Conditional());
        }
        while (Accept(","));
        Expect(close);
        return args;
    }

    /// <summary>
    /// Tokens: identifiers, numbers (an int's text ends in 'i', a uint's in 'u', a double's in 'd'),
    /// quoted strings and bytes (single, double, triple, raw), and operators.
    /// </summary>
    private static List<(string Kind, string Text, object? Value, int Pos)> Lex(string s)
    {
        var tokens = new List<(string, string, object?, int)>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var pos = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }

                var word = s[start..i];
                var raw = word is "r" or "R" or "b" or "B" or "rb" or "br" or "RB" or "BR" or "Rb" or "bR" or "rB" or "Br";
                if (raw && i < s.Length && s[i] is '"' or '\'')
                {
                    var isBytes = word.Contains('b', StringComparison.OrdinalIgnoreCase);
                    var text = Quoted(s, ref i, word.Contains('r', StringComparison.OrdinalIgnoreCase), pos);
                    tokens.Add((isBytes ? "bytes" : "string", text, isBytes ? Google.Protobuf.ByteString.CopyFrom(Encoding.Latin1.GetBytes(text)) : text, pos));
                }
                else
                {
                    tokens.Add(("ident", word, null, pos));
                }
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                tokens.Add(Number(s, ref i, pos));
            }
            else if (c is '"' or '\'')
            {
                var text = Quoted(s, ref i, raw: false, pos);
                tokens.Add(("string", text, text, pos));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                {
                    tokens.Add(("op", two, null, pos));
                    i += 2;
                }
                else if ("<>!?:.,()[]+-*/%".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(("op", c.ToString(), null, pos));
                    i++;
                }
                else
                {
                    throw new CelException($"unexpected character '{c}'", pos);
                }
            }
        }

        tokens.Add(("eof", "", null, s.Length + 1));
        return tokens;
    }

    private static (string, string, object?, int) Number(string s, ref int i, int pos)
    {
        var start = i;
        if (s[i] == '0' && i + 1 < s.Length && s[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]))
            {
                i++;
            }

            var hex = s[(start + 2)..i];
            if (!ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h))
            {
                throw new CelException($"bad number {s[start..i]}", pos);
            }

            return Suffix(s, ref i, h, s[start..i], pos);
        }

        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        var isDouble = false;
        if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            isDouble = true;
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        var text = s[start..i];
        if (isDouble)
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? ("number", text + "d", d, pos)
                : throw new CelException($"bad number {text}", pos);
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            throw new CelException($"integer {text} is out of range", pos);
        }

        return Suffix(s, ref i, v, text, pos);
    }

    private static (string, string, object?, int) Suffix(string s, ref int i, ulong value, string text, int pos)
    {
        if (i < s.Length && s[i] is 'u' or 'U')
        {
            i++;
            return ("number", text + "u", value, pos);
        }

        return ("number", text + "i", value, pos); // signed: range-checked once the sign is known
    }

    private static string Quoted(string s, ref int i, bool raw, int pos)
    {
        var quote = s[i];
        var triple = i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length)
            {
                throw new CelException("unterminated string", pos);
            }

            if (triple ? i + 2 < s.Length && s[i] == quote && s[i + 1] == quote && s[i + 2] == quote : s[i] == quote)
            {
                i += triple ? 3 : 1;
                return sb.ToString();
            }

            if (!triple && s[i] is '\n' or '\r')
            {
                throw new CelException("unterminated string", pos);
            }

            if (s[i] != '\\' || raw)
            {
                sb.Append(s[i++]);
                continue;
            }

            if (i + 1 >= s.Length)
            {
                throw new CelException("unterminated string", pos);
            }

            var e = s[i + 1];
            i += 2;
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '\'' or '"' or '`' or '?': sb.Append(e); break;
                case 'x' or 'u' or 'U':
                    var n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + n > s.Length || !int.TryParse(s.AsSpan(i, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var cp) || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF)
                    {
                        throw new CelException($"bad escape \\{e}", pos);
                    }

                    sb.Append(char.ConvertFromUtf32(cp));
                    i += n;
                    break;
                default:
                    throw new CelException($"bad escape \\{e}", pos);
            }
        }
    }
}
