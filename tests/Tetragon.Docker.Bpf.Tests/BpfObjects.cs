namespace Tetragon.Docker.Bpf.Tests;

/// <summary>The compiled objects: $TETRAGON_OUT/bpf, else the repository's out/bpf.</summary>
internal static class BpfObjects
{
    public static string Directory { get; } = Find();

    public static string Path(string name) => System.IO.Path.Combine(Directory, name);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("TETRAGON_OUT") is { } outDir)
        {
            return System.IO.Path.Combine(outDir, "bpf");
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Tetragon.Docker.sln")))
                {
                    return System.IO.Path.Combine(dir.FullName, "out", "bpf");
                }
            }
        }

        throw new InvalidOperationException("cannot find out/bpf; set TETRAGON_OUT");
    }
}
