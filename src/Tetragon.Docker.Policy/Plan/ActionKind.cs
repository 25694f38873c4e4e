namespace Tetragon.Docker.Policy.Plan;

public enum ActionKind
{
    Post,
    NoPost,
    Sigkill,
    Signal,
    Override,
    FollowFD,
    UnfollowFD,
    CopyFD,
    GetUrl,
    DnsLookup,
    TrackSock,
    UntrackSock,
    NotifyEnforcer,
    CleanupEnforcerNotification,
    Set,
}
