using System.Diagnostics;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>One run of the real `tetra` CLI against an agent's socket.</summary>
internal static class TetraCli
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(AgentProcess agent, params string[] args)
    {
        var info = new ProcessStartInfo(Paths.Cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--server-address", $"unix://{agent.Socket}" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var tetra = System.Diagnostics.Process.Start(info)!;
        var stdout = tetra.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = tetra.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await tetra.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (tetra.ExitCode, await stdout, await stderr);
    }
}
