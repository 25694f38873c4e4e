namespace Tetragon.Docker.Policy.Tests;

/// <summary>Test data copied next to the test binary: broken/ and policies/.</summary>
internal static class TestData
{
    public static string Directory(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static IReadOnlyList<string> Files(string name) =>
        System.IO.Directory.GetFiles(Directory(name), "*.yaml").Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> FileNames(string name)
    {
        var data = new TheoryData<string>();
        foreach (var file in Files(name))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static string Read(string directory, string fileName) => File.ReadAllText(Path.Combine(Directory(directory), fileName));
}
