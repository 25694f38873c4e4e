namespace Tetragon.Docker.Agent.Policy;

/// <summary>A policy that cannot be loaded: every reason, each naming its field or hook.</summary>
internal sealed class PolicyRejectedException(string message) : Exception(message)
{
    public PolicyRejectedException()
        : this("policy rejected")
    {
    }

    public PolicyRejectedException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
