using Docker.DotNet.Models;
using Tetragon.Docker.Agent.Docker;
using Tetragon.Docker.Agent.Process;

namespace Tetragon.Docker.Agent.Tests;

public sealed class ContainerInfoMapperTests
{
    private static ContainerInspectResponse Inspect(bool privileged) => new()
    {
        ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Name = "/web",
        Image = "sha256:1",
        Config = new Config { Image = "nginx:1", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        State = new ContainerState { Running = true, Pid = 4242, StartedAt = "2026-12-06T10:00:00Z" },
        HostConfig = new HostConfig { Privileged = privileged },
    };

    [Fact]
    public void InspectGivesTheContainerMessagesFieldsAndItsPrivilege()
    {
        var info = ContainerInfoMapper.FromInspect(Inspect(privileged: true));
        Assert.Equal("web", info.Name);
        Assert.Equal("nginx:1", info.ImageName);
        Assert.Equal(4242u, info.Pid);
        Assert.True(info.Privileged);
        Assert.False(ContainerInfoMapper.FromInspect(Inspect(privileged: false)).Privileged);
    }

    [Fact]
    public void APrivilegedContainersProcessesCarryTheSecurityContext()
    {
        var process = new Api.Process();
        ProcessFactory.SetContainer(process, ContainerInfoMapper.FromInspect(Inspect(privileged: true)), nsPid: 7);
        Assert.True(process.Container.SecurityContext.Privileged);
        Assert.Equal(7u, process.Container.Pid);

        ProcessFactory.SetContainer(process, ContainerInfoMapper.FromInspect(Inspect(privileged: false)), nsPid: 7);
        Assert.Null(process.Container.SecurityContext); // left out, as for a pod without a privileged container
    }
}
