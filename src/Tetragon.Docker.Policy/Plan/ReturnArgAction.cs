namespace Tetragon.Docker.Policy.Plan;

public enum ReturnArgAction
{
    Post,
    NoPost,
    TrackSock,
    UntrackSock,
}
