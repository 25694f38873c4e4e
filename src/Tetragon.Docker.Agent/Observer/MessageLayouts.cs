using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tetragon.Docker.Agent.Observer;

// Mirrors of bpf/lib/common.h and bpf/lib/process.h; sizes are pinned by tests.

/// <summary>Opcodes, Tetragon's numbering.</summary>
internal static class MsgOp
{
    public const byte Execve = 5;
    public const byte Exit = 7;
    public const byte GenericKprobe = 13;
    public const byte GenericTracepoint = 14;
    public const byte GenericUprobe = 15;
    public const byte GenericLsm = 16;
    public const byte Clone = 23;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MsgCommon
{
    public byte Op;
    public byte Flags;
    public ushort Pad;
    public uint Size;
    public ulong Ktime;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MsgCreds
{
    public uint Uid, Gid, Suid, Sgid, Euid, Egid, FsUid, FsGid;
    public uint SecureBits;
    public uint Pad;
    public ulong CapPermitted;
    public ulong CapEffective;
    public ulong CapInheritable;
}

[InlineArray(10)]
internal struct NamespaceInums
{
    private uint first;
}

/// <summary>CGROUP_NAME_MAX bytes: one kernfs node name, NUL ended.</summary>
[InlineArray(96)]
internal struct CgroupName
{
    private byte first;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MsgExec
{
    public MsgCommon Common;
    public uint Pid;
    public uint Tid;
    public uint Ppid;
    public uint NsPid;
    public uint Auid;
    public uint Flags;
    public ulong CgroupId;
    public ulong ParentStartNs;
    public MsgCreds Creds;
    public NamespaceInums Ns;
    public ushort ArgsLen;
    public ushort CwdLen;
    public ushort BinaryLen;
    public ushort EnvLen;
    public CgroupName CgroupParent;
    public CgroupName CgroupName;
    public ulong BinaryIno;
    public uint BinaryNlink;
    public uint Privileged;
}

/// <summary>msg_exec.flags</summary>
[Flags]
internal enum ExecFlags : uint
{
    None = 0,
    TruncArgs = 1 << 0,
    ErrorArgs = 1 << 1,
    TruncCwd = 1 << 2,
    TruncBinary = 1 << 3,
    TruncEnv = 1 << 4,
}

[StructLayout(LayoutKind.Sequential)]
internal struct MsgExit
{
    public MsgCommon Common;
    public uint Pid;
    public uint Tid;
    public uint ExitCode;
    public uint Pad;
    public ulong CgroupId;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MsgClone
{
    public MsgCommon Common;
    public uint Pid;
    public uint Ppid;
    public ulong CgroupId;
    public uint NsPid;
    public uint PidNs;
}
