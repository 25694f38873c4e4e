using System.Runtime.InteropServices;
using System.Text;
using Tetragon.Docker.Agent.Observer;

namespace Tetragon.Docker.Agent.Tests;

/// <summary>Builds ring buffer samples byte by byte, as the BPF programs lay them out.</summary>
internal static class MessageBuilder
{
    public static byte[] Exec(uint pid, uint ppid, ulong ktime, string[] argv, string cwd, string binary, ulong cgroupId = 1, uint flags = 0, uint euid = 0, string[]? env = null, uint nsPid = 0, uint pidNs = 0)
    {
        var envBytes = env is null ? [] : Encoding.UTF8.GetBytes(string.Join('\0', env) + "\0");
        var args = Encoding.UTF8.GetBytes(string.Join('\0', argv) + "\0");
        var cwdBytes = Components(cwd);
        var binBytes = Components(binary);
        var header = new MsgExec
        {
            Common = new MsgCommon { Op = MsgOp.Execve, Ktime = ktime },
            Pid = pid,
            Tid = pid,
            Ppid = ppid,
            NsPid = nsPid,
            Auid = uint.MaxValue,
            Flags = flags,
            CgroupId = cgroupId,
            Creds = new MsgCreds { Euid = euid, CapEffective = 1UL << 21, CapPermitted = 1UL << 21 },
            ArgsLen = (ushort)args.Length,
            CwdLen = (ushort)cwdBytes.Length,
            BinaryLen = (ushort)binBytes.Length,
            EnvLen = (ushort)envBytes.Length,
        };
        header.Ns[2] = 4026531832;
        header.Ns[3] = pidNs;
        "docker"u8.CopyTo(header.CgroupParent);
        "abc"u8.CopyTo(header.CgroupName);
        var size = Marshal.SizeOf<MsgExec>();
        header.Common.Size = (uint)(size + args.Length + cwdBytes.Length + binBytes.Length + envBytes.Length);
        var sample = new byte[header.Common.Size];
        MemoryMarshal.Write(sample, in header);
        args.CopyTo(sample, size);
        cwdBytes.CopyTo(sample, size + args.Length);
        binBytes.CopyTo(sample, size + args.Length + cwdBytes.Length);
        envBytes.CopyTo(sample, size + args.Length + cwdBytes.Length + binBytes.Length);
        return sample;
    }

    public static byte[] Exit(uint pid, ulong ktime, uint exitCode)
    {
        var m = new MsgExit { Common = new MsgCommon { Op = MsgOp.Exit, Ktime = ktime, Size = (uint)Marshal.SizeOf<MsgExit>() }, Pid = pid, Tid = pid, ExitCode = exitCode };
        var sample = new byte[Marshal.SizeOf<MsgExit>()];
        MemoryMarshal.Write(sample, in m);
        return sample;
    }

    public static byte[] Clone(uint pid, uint ppid, ulong ktime, ulong cgroupId = 1, uint nsPid = 0, uint pidNs = 0)
    {
        var m = new MsgClone { Common = new MsgCommon { Op = MsgOp.Clone, Ktime = ktime, Size = (uint)Marshal.SizeOf<MsgClone>() }, Pid = pid, Ppid = ppid, CgroupId = cgroupId, NsPid = nsPid, PidNs = pidNs };
        var sample = new byte[Marshal.SizeOf<MsgClone>()];
        MemoryMarshal.Write(sample, in m);
        return sample;
    }

    /// <summary>"/a/b/c" → "c\0b\0a\0": leaf first, as the BPF path walk writes it.</summary>
    public static byte[] Components(string path) =>
        Encoding.UTF8.GetBytes(string.Concat(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse().Select(p => p + "\0")));
}
