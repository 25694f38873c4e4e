namespace Tetragon.Docker.Agent.Observer;

/// <summary>A decoded exec: the fixed part plus its strings.</summary>
internal sealed record ExecMessage(MsgExec Header, string[] Argv, string Cwd, string Binary)
{
    public ExecFlags Flags => (ExecFlags)Header.Flags;
}
