using Tetragon.Docker.Events;

namespace Tetragon.Docker.Events.Tests;

public sealed class ArgumentRedactionTests
{
    // Tetragon's documented examples.
    private static readonly ArgumentRedaction Redaction = ArgumentRedaction.Parse(
        """
        {"redact": ["--password(?:\\s+|=)(\\S*)"]}
        {"binary_regex": ["(?:^|/)foo$"], "redact": ["-p(?:\\s+|=)(\\S*)"]}
        """);

    [Theory]
    [InlineData("/usr/bin/mysql", "--password=foo", "--password=*****")]
    [InlineData("/usr/bin/mysql", "-u root --password hunter2 db --password=x2", "-u root --password ***** db --password=*****")]
    [InlineData("/usr/bin/mysql", "-p secret", "-p secret")] // -p only for foo
    [InlineData("/opt/foo", "-p secret --password=a", "-p ***** --password=*****")]
    [InlineData("/opt/foobar", "-p secret", "-p secret")]
    [InlineData("/usr/bin/mysql", "\"--password=two words\"", "\"--password=***** words\"")] // where \S* stops, as in RE2
    [InlineData("/usr/bin/mysql", "no secrets here", "no secrets here")]
    public void CaptureGroupsBecomeAsterisks(string binary, string arguments, string expected) =>
        Assert.Equal(expected, Redaction.Redact(binary, arguments));

    [Fact]
    public void NestedAndRepeatedGroupsAreMaskedOnce()
    {
        var r = ArgumentRedaction.Parse("""{"redact": ["key=((\\w+)-(\\w+))", "(x)(y)"]}""");
        Assert.Equal("key=***** key=***** **********z**********", r.Redact("/bin/a", "key=ab-cd key=e-f xyzxy")); // a mask per group
        Assert.Equal("key=*****", r.Redact("/bin/a", "key=ab-cd"));
    }

    [Theory]
    [InlineData("{\"redact\": [\"--password=\\\\S+\"]}", "--redaction-filters[0].redact[0]: \"--password=\\S+\" has no capture group")]
    [InlineData("{\"binary_regex\": [\"x\"]}", "--redaction-filters[0].redact: at least one")]
    [InlineData("{\"redact\": [\"(a\"]}", "--redaction-filters[0].redact[0]: invalid regular expression")]
    [InlineData("{\"redact\": [\"(a)\"]} {\"redact\": [\"(b)\"], \"binary_regex\": [\"[\"]}", "--redaction-filters[1].binary_regex[0]: invalid regular expression")]
    [InlineData("{\"redact\": [\"(a)\"], \"match\": [{\"pid\": [1]}]}", "--redaction-filters[0].match: deprecated")]
    [InlineData("{\"redakt\": [\"(a)\"]}", "--redaction-filters: filter 1 (line 1): ")]
    public void ABrokenFilterIsNamed(string text, string start)
    {
        var e = Assert.Throws<ArgumentException>(() => ArgumentRedaction.Parse(text));
        Assert.StartsWith(start, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFiltersChangeNothing()
    {
        Assert.True(ArgumentRedaction.Parse("").IsEmpty);
        Assert.Equal("--password=x", ArgumentRedaction.None.Redact("/bin/a", "--password=x"));
    }
}
