using System.Runtime.InteropServices;
using Tetragon.Docker.ExportStdout;

// tetragon-export-stdout [FILE]: copies every line of the agent's rotating JSON export to stdout,
// exactly once across rotations, until SIGTERM/SIGINT (then one last drain).
var path = args.Length > 0 ? args[0] : "/var/run/tetragon/tetragon.log";
if (args.Length > 1 || path is "-h" or "--help")
{
    Console.Error.WriteLine("usage: tetragon-export-stdout [FILE]   (default /var/run/tetragon/tetragon.log)");
    return 2;
}

using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });

using var stdout = Console.OpenStandardOutput();
using var follower = new LogFollower(path, stdout);
var idle = TimeSpan.FromMilliseconds(100);
while (!stop.IsCancellationRequested)
{
    try
    {
        if (!follower.Poll())
        {
            await Task.Delay(idle, TimeProvider.System, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
    catch (IOException e)
    {
        Console.Error.WriteLine($"tetragon-export-stdout: {path}: {e.Message}");
        await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}

follower.Poll();
return 0;
