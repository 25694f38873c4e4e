namespace Tetragon.Docker.Agent.Observer;

/// <summary>A decoded exec: the fixed part plus its strings.</summary>
internal sealed record ExecMessage(MsgExec Header, string[] Argv, string Cwd, string Binary)
{
    /// <summary>"/parent/name" of the task's cgroup v2 directory, e.g. "/docker/&lt;id&gt;".</summary>
    public string CgroupPath { get; init; } = "";

    /// <summary>"KEY=VALUE" entries, when --enable-process-environment-variables captures them.</summary>
    public string[] Environment { get; init; } = [];

    public ExecFlags Flags => (ExecFlags)Header.Flags;
}
