namespace Tetragon.Docker.Policy.Tests;

/// <summary>
/// Each file under broken/ starts with <c># expect: PATH: MESSAGE-SUBSTRING</c> and must be
/// rejected with an error at exactly that path whose message contains the substring.
/// </summary>
public sealed class BrokenCorpusTests
{
    private const string ExpectPrefix = "# expect: ";

    public static TheoryData<string> BrokenPolicies => TestData.FileNames("broken");

    [Theory]
    [MemberData(nameof(BrokenPolicies))]
    public void Broken_policy_is_rejected_at_the_expected_path(string fileName)
    {
        var text = TestData.Read("broken", fileName);
        var firstLine = text.Split('\n')[0];
        Assert.StartsWith(ExpectPrefix, firstLine, StringComparison.Ordinal);
        var expectation = firstLine[ExpectPrefix.Length..].Trim();
        var split = expectation.IndexOf(": ", StringComparison.Ordinal);
        var expectedPath = expectation[..split];
        var expectedMessage = expectation[(split + 2)..];

        var result = TracingPolicyLoader.Load(text, fileName);

        Assert.False(result.Success, $"{fileName} was accepted");
        Assert.True(
            result.Errors.Any(e => e.Path == expectedPath && e.Message.Contains(expectedMessage, StringComparison.Ordinal)),
            $"expected `{expectation}` in:\n{string.Join("\n", result.Errors)}");
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Path)));
    }

    [Fact]
    public void Corpus_is_not_empty()
    {
        Assert.True(TestData.Files("broken").Count >= 20);
    }
}
