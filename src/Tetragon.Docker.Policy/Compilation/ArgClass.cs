namespace Tetragon.Docker.Policy.Compilation;

/// <summary>How an argument type is filtered.</summary>
internal enum ArgClass
{
    Signed,
    Unsigned,
    Text,
    Socket,
    CapabilityMask,
    Opaque,
    Auto,
}
