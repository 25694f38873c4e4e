namespace Tetragon.Docker.Agent.Policy;

internal sealed class PolicyNotFoundException(string name) : Exception($"tracing policy {name} not found")
{
    public PolicyNotFoundException()
        : this("")
    {
    }

    public PolicyNotFoundException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
