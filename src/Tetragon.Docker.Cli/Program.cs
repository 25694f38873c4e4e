namespace Tetragon.Docker.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) =>
        new TetraCommand(CliContext.FromConsole()).Root.Parse(args).InvokeAsync();
}
