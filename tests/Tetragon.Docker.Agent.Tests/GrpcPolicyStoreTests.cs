using Tetragon.Docker.Agent.Policy;
using Tetragon.Docker.Policy.Plan;

namespace Tetragon.Docker.Agent.Tests;

public sealed class GrpcPolicyStoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("grpc-store-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ARecordIsReplacedWholeAndRemoved()
    {
        var store = new GrpcPolicyStore(dir);
        store.Save("web-guard", new GrpcPolicyStore.Entry("a: 1\n\"quoted\" ü", Enabled: true));
        store.Save("web-guard", new GrpcPolicyStore.Entry("a: 2\n", Enabled: false));

        Assert.Equal(new GrpcPolicyStore.Entry("a: 2\n", false), store.Read("web-guard"));
        Assert.Equal(["web-guard.json"], Directory.GetFiles(dir).Select(Path.GetFileName)); // no temporary file left
        store.Remove("web-guard");
        Assert.Null(store.Read("web-guard"));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void TheModeSetOverGrpcIsRecordedAndAbsentWhenNeverSet()
    {
        var store = new GrpcPolicyStore(dir);
        store.Save("a", new GrpcPolicyStore.Entry("x", Enabled: true, PolicyMode.Monitor));
        store.Save("b", new GrpcPolicyStore.Entry("y", Enabled: false));

        Assert.Equal(PolicyMode.Monitor, store.Read("a")!.Mode);
        Assert.Null(store.Read("b")!.Mode);
        Assert.Contains("\"mode\": \"monitor\"", File.ReadAllText(Path.Combine(dir, "a.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("日本")]
    public void AnyNameStaysAFileInTheStore(string name)
    {
        var store = new GrpcPolicyStore(dir);
        store.Save(name, new GrpcPolicyStore.Entry("x", true));

        var file = Assert.Single(Directory.GetFiles(dir));
        Assert.Equal(dir, Path.GetDirectoryName(file));
        Assert.DoesNotContain("/", Path.GetFileName(file));
        Assert.False(Path.GetFileName(file).StartsWith('.'));
        Assert.Equal("x", store.Read(name)!.Yaml);
        Assert.Null(store.Read(name + "x"));
    }

    [Fact]
    public void ReadingAllNamesTheRecordsThatAreBroken()
    {
        var store = new GrpcPolicyStore(dir);
        store.Save("good", new GrpcPolicyStore.Entry("y", true));
        File.WriteAllText(Path.Combine(dir, "bad.json"), "{ \"enabled\": true }");
        File.WriteAllText(Path.Combine(dir, "torn.json"), "{ \"yaml\": \"y");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a record");

        var all = store.ReadAll().ToList();
        Assert.Equal(["bad.json", "good.json", "torn.json"], all.Select(r => Path.GetFileName(r.File)));
        Assert.Contains("not a policy record", all[0].Error);
        Assert.Equal(new GrpcPolicyStore.Entry("y", true), all[1].Entry);
        Assert.StartsWith(Path.Combine(dir, "torn.json"), all[2].Error);
    }
}
