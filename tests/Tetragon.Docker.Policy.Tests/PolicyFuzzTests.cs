using System.Diagnostics;
using System.Text;

namespace Tetragon.Docker.Policy.Tests;

/// <summary>
/// Deterministic mutation fuzzing: at least 10,000 mutated policies from the example and broken
/// corpora. No exception may escape, every rejection names a path, and the whole run stays
/// within an aggregate time budget (the cancellation deadline is only a safety net).
/// </summary>
public sealed class PolicyFuzzTests
{
    private const int Iterations = 12_000;
    private const int Seed = 0x7e7a;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    private static readonly string[] Keys =
    [
        "kprobes", "selectors", "matchArgs", "index", "operator", "values", "matchActions", "action", "argSig",
        "args", "type", "call", "syscall", "return", "returnArg", "sizeArgIndex", "matchBinaries", "rateLimit",
        "<<", "?", "ключ", "🔥", "spec", "metadata", "name", "\u0000", "a.b", "[0]",
    ];

    private static readonly string[] Scalars =
    [
        "0", "-1", "4294967296", "0x", "99999999999999999999999", "\"\"", "null", "~", "true", "Equal", "In", "Sigkill",
        "10.0.0.0/33", "::1/129", "1m", "5x", "SIGKILL", "'", "\"", "*alias", "&anchor", "!!binary", "|", ">", "%", "@",
        "é", "\u202e", "\ud83d\ude00", "[]", "{}", "[[[", "}}}", ": :", "- -", "#", "\t",
    ];

    [Fact]
    public void Mutated_policies_never_throw_and_always_name_a_path()
    {
        var corpus = TestData.Files("policies").Concat(TestData.Files("broken")).Select(File.ReadAllText).ToList();
        Assert.NotEmpty(corpus);
        var random = new Random(Seed);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Budget);
        var stopwatch = Stopwatch.StartNew();
        var accepted = 0;
        var rejected = 0;

        for (var i = 0; i < Iterations; i++)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var document = Mutate(corpus[random.Next(corpus.Count)], random);

            PolicyLoadResult result;
            try
            {
                result = TracingPolicyLoader.Load(document, $"fuzz-{i}");
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i} threw {ex.GetType().Name}: {ex.Message}\n--- document ---\n{Truncate(document)}");
                throw;
            }

            if (result.Success)
            {
                accepted++;
                Assert.NotNull(result.Plan);
                continue;
            }

            rejected++;
            Assert.NotEmpty(result.Errors);
            foreach (var error in result.Errors)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Path), $"iteration {i}: error without a path: {error}");
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"iteration {i}: error without a message at {error.Path}");
                Assert.True(error.Line is null or > 0 && error.Column is null or > 0, $"iteration {i}: bad position {error}");
            }
        }

        stopwatch.Stop();
        Assert.Equal(Iterations, accepted + rejected);
        Assert.True(rejected > Iterations / 4, $"only {rejected} of {Iterations} mutations were rejected");
        Assert.True(stopwatch.Elapsed < Budget, $"{Iterations} documents took {stopwatch.Elapsed}");
    }

    private static string Mutate(string text, Random random)
    {
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            text = random.Next(12) switch
            {
                0 => FlipBytes(text, random),
                1 => text[..random.Next(text.Length + 1)],
                2 => SwapScalar(text, random),
                3 => InsertKey(text, random),
                4 => HugeList(text, random),
                5 => DeepNesting(random),
                6 => InsertAt(text, random, Scalars[random.Next(Scalars.Length)]),
                7 => DuplicateLines(text, random),
                8 => DeleteLine(text, random),
                9 => ChangeIndent(text, random),
                10 => text.Replace("\"", string.Empty, StringComparison.Ordinal),
                _ => ReplaceValueWithStructure(text, random),
            };
        }

        return text;
    }

    private static string FlipBytes(string text, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return text;
        }

        for (var i = 0; i < 1 + random.Next(8); i++)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static string SwapScalar(string text, Random random)
    {
        var lines = text.Split('\n');
        var i = random.Next(lines.Length);
        var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
        if (colon >= 0)
        {
            lines[i] = lines[i][..(colon + 2)] + Scalars[random.Next(Scalars.Length)];
        }

        return string.Join('\n', lines);
    }

    private static string ReplaceValueWithStructure(string text, Random random)
    {
        var lines = text.Split('\n');
        var i = random.Next(lines.Length);
        var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
        if (colon >= 0)
        {
            lines[i] = lines[i][..(colon + 2)] + (random.Next(2) == 0 ? "[1, [2], {a: b}]" : "{x: [y], z: 1}");
        }

        return string.Join('\n', lines);
    }

    private static string InsertKey(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var i = random.Next(lines.Count);
        var indent = lines[i].Length - lines[i].TrimStart().Length;
        lines.Insert(i, new string(' ', indent) + Keys[random.Next(Keys.Length)] + ": " + Scalars[random.Next(Scalars.Length)]);
        return string.Join('\n', lines);
    }

    private static string HugeList(string text, Random random)
    {
        var count = random.Next(3) switch
        {
            0 => 50,
            1 => 5_000,
            _ => 20_000,
        };
        var list = "[" + string.Join(",", Enumerable.Range(0, count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
        var target = random.Next(2) == 0 ? "values:" : "selectors:";
        var at = text.IndexOf(target, StringComparison.Ordinal);
        return at < 0 ? text + "\n" + target + " " + list : text[..(at + target.Length)] + " " + list + "\n" + text[(at + target.Length)..];
    }

    private static string DeepNesting(Random random)
    {
        var depth = random.Next(10, 5_000);
        return random.Next(3) switch
        {
            0 => "spec: " + new string('[', depth) + new string(']', depth),
            1 => "spec:\n" + string.Concat(Enumerable.Range(0, Math.Min(depth, 300)).Select(d => new string(' ', d + 1) + "k" + d + ":\n")),
            _ => string.Concat(Enumerable.Repeat("- ", depth)) + "x",
        };
    }

    private static string InsertAt(string text, Random random, string insert) =>
        text.Insert(random.Next(text.Length + 1), insert);

    private static string DuplicateLines(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var i = random.Next(lines.Count);
        var n = Math.Min(random.Next(1, 6), lines.Count - i);
        lines.InsertRange(i, lines.GetRange(i, n));
        return string.Join('\n', lines);
    }

    private static string DeleteLine(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(random.Next(lines.Count));
        return string.Join('\n', lines);
    }

    private static string ChangeIndent(string text, Random random)
    {
        var lines = text.Split('\n');
        var i = random.Next(lines.Length);
        lines[i] = random.Next(2) == 0 ? " " + lines[i] : lines[i].TrimStart();
        return string.Join('\n', lines);
    }

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] + "…" : text;
}
