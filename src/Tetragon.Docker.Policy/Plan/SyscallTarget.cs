namespace Tetragon.Docker.Policy.Plan;

/// <param name="Name">Normalized syscall name, e.g. <c>openat</c>.</param>
/// <param name="Number">x86_64 syscall number.</param>
/// <param name="KernelSymbol">The x86_64 entry symbol, e.g. <c>__x64_sys_openat</c>.</param>
public sealed record SyscallTarget(string Name, int Number, string KernelSymbol) : HookTarget
{
    public override string DisplayName => KernelSymbol;
}
