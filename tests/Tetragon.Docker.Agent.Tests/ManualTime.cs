namespace Tetragon.Docker.Agent.Tests;

/// <summary>A clock the test moves by hand (timers are not needed by the types under test).</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
