using Tetragon.Docker.Agent.Docker;

namespace Tetragon.Docker.Agent.Tests;

public sealed class CgroupPathParserTests
{
    private const string Id = "3f4e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
    private const string Inner = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("/docker/" + Id)]                                      // cgroupfs driver: v1, hybrid unified, pure v2
    [InlineData("/docker/" + Id + "/")]
    [InlineData("/system.slice/docker-" + Id + ".scope")]              // systemd driver
    [InlineData("/docker/" + Id + "/init")]                            // a child cgroup of the container
    [InlineData("/system.slice/docker-" + Id + ".scope/init.scope")]
    [InlineData("/docker/" + Id + "/docker/" + Inner)]                 // docker-in-docker: the outer container is the host's
    [InlineData("/user.slice/user-1000.slice/user@1000.service/docker-" + Id + ".scope")] // rootless
    [InlineData("/machine.slice/docker/" + Id)]                        // --cgroup-parent style nesting
    public void Finds_the_container_id(string path) => Assert.Equal(Id, CgroupPathParser.ContainerIdOf(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/init.scope")]
    [InlineData("/system.slice/docker.service")]
    [InlineData("/system.slice/containerd.service")]
    [InlineData("/user.slice/user-0.slice/session-1.scope")]
    [InlineData("/docker")]
    [InlineData("/kubepods/burstable/pod1234/" + Id)]                  // Kubernetes: not Docker's
    [InlineData("/system.slice/cri-containerd-" + Id + ".scope")]
    [InlineData("/docker/" + "3F4E1C2B9A8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F")] // not lowercase hex
    [InlineData("/docker/3f4e1c2b9a8d")]                               // short id
    [InlineData("/docker/buildkit/" + Id)]
    [InlineData("/system.slice/docker-" + Id + ".scopex")]
    public void Host_paths_have_no_container(string? path) => Assert.Null(CgroupPathParser.ContainerIdOf(path));

    [Theory]
    [InlineData(Id, true)]
    [InlineData("docker-" + Id + ".scope", true)]
    [InlineData("init", false)]
    [InlineData("docker.service", false)]
    public void Recognises_container_directories(string name, bool expected) => Assert.Equal(expected, CgroupPathParser.IsContainerDirectory(name));
}
