using Tetragon.Docker.Api;
using Tetragon.Docker.Events.Cel;

namespace Tetragon.Docker.Events.Tests;

public sealed class CelFilterTests
{
    private static readonly GetEventsResponse CurlExec = TestEvents.Exec(
        TestEvents.Proc("/usr/bin/curl", "https://example.com -o /tmp/x", pid: 2, container: "web"),
        TestEvents.Proc("/bin/bash", pid: 1));

    private static GetEventsResponse Kprobe(string function, params KprobeArgument[] args) =>
        TestEvents.Kprobe(TestEvents.Proc("/usr/bin/cat"), function, "p", args);

    private static bool Eval(string expression, GetEventsResponse e) => CelFilter.Compile(expression)(e);

    [Fact]
    public void TetragonsOwnExamplesFilterByTheEventTypesFields()
    {
        Assert.True(Eval("process_exec.process.pid > uint(1)", CurlExec));
        Assert.False(Eval("process_exec.parent.pid > uint(1)", CurlExec));
        Assert.True(Eval("process_kprobe.function_name == 'security_file_permission'", Kprobe("security_file_permission")));
        Assert.False(Eval("process_kprobe.function_name == 'security_file_permission'", Kprobe("something_else")));
    }

    [Theory]
    [InlineData("process_exec.process.binary.startsWith('/usr/') && process_exec.process.binary.endsWith('curl')", true)]
    [InlineData("process_exec.process.arguments.contains('example.com')", true)]
    [InlineData("process_exec.process.binary.matches('^/usr/(s)?bin/c')", true)]
    [InlineData("process_exec.process.binary.matches('wget')", false)]
    [InlineData("('a' + process_exec.process.arguments + 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!').matches('^(a+)+$')", false)] // no catastrophic backtracking
    [InlineData("process_exec.process.binary in ['/usr/bin/wget', '/usr/bin/curl']", true)]
    [InlineData("size(process_exec.process.binary) == 13 && process_exec.process.binary.size() == 13", true)]
    [InlineData("process_exec.process.pid > 1 && process_exec.process.pid < 3.5 && process_exec.process.pid == 2", true)] // ints, uints and doubles compare
    [InlineData("process_exec.process.pid + 1u == 3u", true)]
    [InlineData("process_exec.process.container.name == 'web' && has(process_exec.process.container)", true)]
    [InlineData("has(process_exec.process.pod)", false)]
    [InlineData("has(process_exec.process.binary) && !has(process_exec.process.cwd) && has(process_exec.process.pid)", true)] // proto3 scalars: set when not the default
    [InlineData("process_exec.process.pod.name == ''", true)] // an unset message reads as its default
    [InlineData("!(process_exec.parent.binary == '/bin/bash') ? false : true", true)]
    [InlineData("string(process_exec.process.pid) + \"/\" + process_exec.process.binary == '2//usr/bin/curl'", true)]
    [InlineData("r'\\d' == '\\\\d' && '\\x41\\u00e9' == 'Aé' && \"\"\"a\"b\"\"\" == 'a\"b'", true)]
    [InlineData("-1 < 0u && 0x10 == 16 && -9223372036854775808 < 0", true)]
    public void StringsNumbersListsAndPresenceAreCel(string expression, bool expected) =>
        Assert.Equal(expected, Eval(expression, CurlExec));

    [Fact]
    public void ArgumentsAreFilteredWithMacros()
    {
        var open = Kprobe("security_file_permission",
            new KprobeArgument { FileArg = new KprobeFile { Path = "/etc/shadow" } }, new KprobeArgument { IntArg = 4 });
        Assert.True(Eval("process_kprobe.args.exists(a, a.file_arg.path.startsWith('/etc/'))", open));
        Assert.False(Eval("process_kprobe.args.all(a, has(a.file_arg))", open));
        Assert.True(Eval("process_kprobe.args.exists_one(a, a.int_arg == 4)", open));
        Assert.True(Eval("process_kprobe.args[1].int_arg == 4 && size(process_kprobe.args.filter(a, a.int_arg > 0)) == 1", open));
        Assert.True(Eval("process_kprobe.args.map(a, a.int_arg) == [0, 4]", open));
        Assert.True(Eval("process_kprobe.args.map(a, a.int_arg) == [0u, 4.0]", open)); // a mixed list is dyn: numbers compare by value
    }

    [Fact]
    public void AnotherEventTypeDoesNotMatchUnlessTheOtherSideOfAnOrDecides()
    {
        Assert.False(Eval("process_kprobe.function_name == 'x'", CurlExec));
        Assert.False(Eval("!(process_kprobe.function_name == 'x')", CurlExec));
        Assert.True(Eval("process_kprobe.function_name == 'x' || process_exec.process.binary == '/usr/bin/curl'", CurlExec));
        Assert.False(Eval("process_kprobe.function_name == 'x' && process_exec.process.binary == '/usr/bin/wget'", CurlExec));
        // Refused by event type before evaluating, but only where nothing could make it true.
        Assert.True(Eval("process_kprobe.function_name == 'x' || true", CurlExec));
        Assert.True(Eval("process_kprobe.args.exists(a, true) || size(process_exec.process.binary) > 0", CurlExec));
        Assert.False(Eval("process_kprobe.function_name == 'x' ? true : true", CurlExec));
        // Overflow, a missing key, a list index out of range: no match, no exception.
        Assert.False(Eval("18446744073709551615u + process_exec.process.pid > 0u", CurlExec));
        Assert.False(Eval("process_exec.process.container.labels['missing'] == 'x'", CurlExec));
        Assert.False(Eval("process_exec.ancestors[3].pid == 1u", CurlExec));
    }

    [Fact]
    public void DockerLabelsAreAMap()
    {
        var labelled = TestEvents.Proc("/usr/bin/curl", container: "web");
        labelled.Container.Labels.Add("com.example.team", "payments");
        var e = TestEvents.Exec(labelled);
        Assert.True(Eval("process_exec.process.container.labels['com.example.team'] == 'payments'", e));
        Assert.True(Eval("'com.example.team' in process_exec.process.container.labels", e));
        Assert.True(Eval("process_exec.process.container.labels.exists(k, k.startsWith('com.example'))", e));
    }

    [Theory]
    [InlineData("process_exec.process.bad_field_name == 'curl'", "undefined field 'bad_field_name' of tetragon.Process", 21)]
    [InlineData("proces_exec.process.pid == 1u", "undeclared reference to 'proces_exec'", 1)]
    [InlineData("process_exec.process.binary", "the expression is a string, not a bool", 1)]
    [InlineData("process_exec.process.binary == 1", "no matching overload for '==' (string, int)", 29)]
    [InlineData("process_exec.process.pid + 1 == 3", "no matching overload for '+' (uint, int)", 26)]
    [InlineData("process_exec.process.binary.matches('(')", "invalid regular expression '('", 28)]
    [InlineData("process_exec.process.binary.lower() == 'x'", "undeclared function 'lower'", 28)]
    [InlineData("process_exec.process.binary.matches('(a)\\\\1')", "invalid regular expression", 28)] // RE2 has no backreferences
    [InlineData("process_exec.process.binary == 'x", "unterminated string", 32)]
    [InlineData("process_exec.process.pid == 1u &&", "unexpected end of expression", 34)]
    [InlineData("(process_exec.process.pid == 1u", "expected ')'", 32)]
    [InlineData("18446744073709551616u > 0u", "integer 18446744073709551616 is out of range", 1)]
    [InlineData("process_exec.process.pid # 1", "unexpected character '#'", 26)]
    public void MistakesAreNamedWithTheirColumn(string expression, string message, int column)
    {
        var e = Assert.Throws<CelException>(() => CelFilter.Compile(expression));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(column, e.Position);
    }

    [Theory]
    [InlineData(90_000, "(", "nests deeper than 250")]
    [InlineData(90_000, "!", "nests deeper than 250")]
    [InlineData(90_000, "-", "nests deeper than 250")]
    [InlineData(20_000, "[", "nests deeper than 250")]
    [InlineData(20_000, "1 + ", "nests deeper than 250")]
    [InlineData(30_000, "x.", "nests deeper than 250")]
    [InlineData(12_000, "true ? ", "nests deeper than 250")]
    [InlineData(100_001, "a", "at most 100000")]
    public void AClientCannotOverflowTheAgentsStack(int count, string piece, string message)
    {
        // Parsing, checking and evaluating recurse: nesting is bounded where a stack overflow would end the process.
        var e = Assert.Throws<CelException>(() => CelFilter.Compile(string.Concat(Enumerable.Repeat(piece, count)) + "process_exec"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(Eval(string.Concat(Enumerable.Repeat("!", 200)) + "true", CurlExec)); // deep within the limit is fine
    }

    [Fact]
    public void TwentyThousandMutatedExpressionsAreEachRefusedWithACelExceptionOrEvaluated()
    {
        string[] corpus =
        [
            "process_exec.process.binary.endsWith('/curl') && process_exec.process.pid > 1u",
            "process_kprobe.args.exists(a, a.file_arg.path.startsWith(\"/etc/\")) || has(process_exec.parent)",
            "process_exec.process.container.labels['a'] in ['x', \"y\"] ? size(process_exec.ancestors) == 0 : 1.5e3 < -2",
            "string(process_exit.status) + r'\\d' == b'\\x00' && process_exit.process.arguments.matches('^a+$')",
            "process_kprobe.args.map(x, x.int_arg * 2 % 3 / 1 - 4).filter(y, y != 0).all(z, int(z) >= -0x10)",
        ];
        var events = new[] { CurlExec, Kprobe("f", new KprobeArgument { IntArg = 3 }), new GetEventsResponse() };
        var rng = new Random(20261206);
        const string alphabet = "()[]{}.,!?:+-*/%<>=&|'\"\\ abcxyz019_eé\u0000\u2028🙂";
        var compiled = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var chars = corpus[rng.Next(corpus.Length)].ToList();
            for (var m = rng.Next(1, 6); m > 0 && chars.Count > 0; m--)
            {
                var at = rng.Next(chars.Count);
                switch (rng.Next(4))
                {
                    case 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                    case 2: chars[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    default: chars.RemoveRange(at, chars.Count - at); break;
                }
            }

            Func<GetEventsResponse, bool> filter;
            try
            {
                filter = CelFilter.Compile(new string([.. chars]));
            }
            catch (CelException)
            {
                continue;
            }

            compiled++;
            foreach (var e in events)
            {
                filter(e); // no exception escapes: an event it cannot evaluate does not match
            }
        }

        Assert.InRange(compiled, 100, 19_900); // the mutations kept some valid and broke most
    }

    [Fact]
    public void AFiltersExpressionsAreOredAndAndedWithItsOtherFields()
    {
        var filter = EventFilter.Compile(
            FilterList.Parse("""{"cel_expression":["process_exec.process.binary == '/usr/bin/wget'", "process_exec.process.binary == '/usr/bin/curl'"], "binary_regex":["curl"]}""", "--export-allowlist"),
            [],
            "--export-allowlist",
            "--export-denylist");
        Assert.True(filter.Matches(CurlExec));
        Assert.False(filter.Matches(Kprobe("security_file_permission")));

        var bad = Assert.Throws<ArgumentException>(() => EventFilter.Compile(
            FilterList.Parse("""{"cel_expression":["process_exec.process.pid == 1u", "process_exec.nope"]}""", "--export-allowlist"), [], "--export-allowlist", "--export-denylist"));
        Assert.StartsWith("--export-allowlist[0].cel_expression[1]: undefined field 'nope' of tetragon.ProcessExec", bad.Message, StringComparison.Ordinal);
    }
}
