using System.CommandLine;

namespace Tetragon.Docker.Cli;

/// <summary>The <c>tetra</c> root command and its sub-commands.</summary>
internal sealed class TetraCommand
{
    public TetraCommand(CliContext context)
    {
        Context = context;
        GetEvents = new GetEventsCommand(context);
        Root = new RootCommand("tetra: the Tetragon.Docker CLI");
        Root.Options.Add(context.ServerAddressOption);
        Root.Options.Add(context.TimeoutOption);
        Root.Subcommands.Add(GetEvents.Command);
        Root.Subcommands.Add(new StatusCommand(context).Command);
        Root.Subcommands.Add(new VersionCommand(context).Command);
        Root.Subcommands.Add(new TracingPolicyCommand(context).Command);
        Root.Subcommands.Add(new SensorsCommand(context).Command);
        Root.Subcommands.Add(new BugtoolCommand(context).Command);
        var debug = new DebugCommands(context);
        Root.Subcommands.Add(debug.LogLevelCommand);
        Root.Subcommands.Add(debug.DumpCommand);
    }

    public CliContext Context { get; }

    public RootCommand Root { get; }

    public GetEventsCommand GetEvents { get; }
}
