using Tetragon.Docker.Agent.Process;
using Tetragon.Docker.Events;

namespace Tetragon.Docker.Agent.Tests;

public sealed class EnvironmentFilterTests
{
    private static readonly string[] Entries = ["HOME=/root", "LD_PRELOAD=/tmp/evil.so", "A=b=c", "EMPTY=", "=odd", "NOEQUALS"];

    [Fact]
    public void WithoutAFilterEveryVariableIsKeptAsKeyAndValue()
    {
        var vars = EnvironmentFilter.Parse("", ArgumentRedaction.None).Select("/bin/sh", Entries).Select(v => (v.Key, v.Value));

        Assert.Equal([("HOME", "/root"), ("LD_PRELOAD", "/tmp/evil.so"), ("A", "b=c"), ("EMPTY", ""), ("NOEQUALS", "")], vars);
    }

    [Fact]
    public void AFilterKeepsOnlyTheNamedVariables()
    {
        var vars = EnvironmentFilter.Parse(" LD_PRELOAD, A ,", ArgumentRedaction.None).Select("/bin/sh", Entries).Select(v => v.Key);

        Assert.Equal(["LD_PRELOAD", "A"], vars);
    }

    [Fact]
    public void RedactionFiltersMaskSecretsInValues()
    {
        var redaction = ArgumentRedaction.Parse("{\"redact\":[\"AWS_SECRET_ACCESS_KEY=(\\\\S+)\"]}");
        var vars = EnvironmentFilter.Parse("", redaction).Select("/usr/bin/aws", ["AWS_SECRET_ACCESS_KEY=abc123", "AWS_REGION=eu-west-1"]).ToList();

        Assert.Equal(ArgumentRedaction.Mask, vars[0].Value);
        Assert.Equal("AWS_SECRET_ACCESS_KEY", vars[0].Key);
        Assert.Equal("eu-west-1", vars[1].Value);
    }
}
