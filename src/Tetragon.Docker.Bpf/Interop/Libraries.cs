namespace Tetragon.Docker.Bpf.Interop;

internal static class Libraries
{
    public const string LibBpf = "libbpf.so.1";
    public const string LibC = "libc.so.6";
}
