namespace Tetragon.Docker.E2E.Tests;

/// <summary>Where the built programs are: $TETRAGON_OUT, else the repository's out/.</summary>
internal static class Paths
{
    public static string Out { get; } = Environment.GetEnvironmentVariable("TETRAGON_OUT") ?? FindOut();

    public static string Agent => Path.Combine(Out, "tetragon");

    public static string Cli => Path.Combine(Out, "tetra");

    public static string Bpf => Path.Combine(Out, "bpf");

    private static string FindOut()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Tetragon.Docker.sln")))
                {
                    return Path.Combine(dir.FullName, "out");
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository's out/ folder; set TETRAGON_OUT");
    }
}
