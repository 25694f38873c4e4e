using System.Diagnostics;

namespace Tetragon.Docker.E2E.Tests;

/// <summary>Runs real programs with known arguments, cwd and outcome for the agent to observe.</summary>
internal static class Trigger
{
    public static async Task<(int Pid, int ExitCode)> RunAsync(string binary, string cwd, params string[] args)
    {
        var info = new ProcessStartInfo(binary) { WorkingDirectory = cwd, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        return (process.Id, process.ExitCode);
    }

    public static Process Start(string binary, string cwd, params string[] args)
    {
        var info = new ProcessStartInfo(binary) { WorkingDirectory = cwd, UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>The binary the kernel reports for a tool found on PATH (/bin is often a link to /usr/bin).</summary>
    public static string Resolve(string path) => Posix.RealPath(path);
}
