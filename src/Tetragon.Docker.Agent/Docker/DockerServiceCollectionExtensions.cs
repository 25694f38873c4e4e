using Tetragon.Docker.Agent.Metrics;
using Tetragon.Docker.Agent.Options;
using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Docker;

/// <summary>Registers the container resolver: Docker's when <c>--enable-docker</c>, otherwise none.</summary>
internal static class DockerServiceCollectionExtensions
{
    /// <summary>Register before the agent runtime: its /proc scan resolves containers as soon as it starts.</summary>
    public static IServiceCollection AddContainerResolver(this IServiceCollection services, AgentOptions options)
    {
        if (!options.EnableDocker)
        {
            return services.AddSingleton<IContainerResolver, NoContainerResolver>();
        }

        services.AddSingleton(sp => new CgroupIndex(CgroupFs.Detect().Root, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ContainerCache>();
        services.AddSingleton(sp => new DockerContainerResolver(
            sp.GetRequiredService<CgroupIndex>(), sp.GetRequiredService<ContainerCache>(), sp.GetRequiredService<AgentCounters>()));
        services.AddSingleton<IContainerResolver>(sp => sp.GetRequiredService<DockerContainerResolver>());
        services.AddSingleton(sp => new DockerWatcher(
            sp.GetRequiredService<DockerContainerResolver>(),
            new Uri(options.DockerHost),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DockerWatcher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DockerWatcher>());
        return services;
    }
}
