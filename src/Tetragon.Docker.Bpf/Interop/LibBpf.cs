using System.Runtime.InteropServices;

namespace Tetragon.Docker.Bpf.Interop;

/// <summary>The slice of libbpf 1.x we use. Only the SafeHandle wrappers call these.</summary>
internal static unsafe partial class LibBpf
{
    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ObjectOpenFile(string path, nint opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_object__load", SetLastError = true)]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindMapByName(nint obj, string name);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_object__next_program")]
    public static partial nint ObjectNextProgram(nint obj, nint prev);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__name")]
    public static partial nint ProgramName(nint prog);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__set_attach_target", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int ProgramSetAttachTarget(nint prog, int attachProgFd, string attachFuncName);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__set_log_level", SetLastError = true)]
    public static partial int ProgramSetLogLevel(nint prog, uint level);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__set_log_buf", SetLastError = true)]
    public static partial int ProgramSetLogBuf(nint prog, byte* buffer, nuint size);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__set_autoload", SetLastError = true)]
    public static partial int ProgramSetAutoload(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint prog);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map__reuse_fd", SetLastError = true)]
    public static partial int MapReuseFd(nint map, int fd);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map__set_max_entries", SetLastError = true)]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map__value_size")]
    public static partial uint MapValueSize(nint map);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    public static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    public static partial int MapUpdateElem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int NumPossibleCpus();

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_obj_get_info_by_fd", SetLastError = true)]
    public static partial int ObjGetInfoByFd(int fd, void* info, uint* infoLen);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(delegate* unmanaged<int, nint, nint, int> fn);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "libbpf_probe_bpf_map_type")]
    public static partial int ProbeMapType(int mapType, nint opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "libbpf_probe_bpf_helper")]
    public static partial int ProbeHelper(int progType, int helperId, nint opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__attach_tracepoint_opts", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ProgramAttachTracepointOpts(nint prog, string category, string name, TracepointOpts* opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__attach_uprobe_opts", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ProgramAttachUprobeOpts(nint prog, int pid, string binaryPath, nuint funcOffset, UprobeOpts* opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_program__attach_kprobe_opts", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ProgramAttachKprobeOpts(nint prog, string funcName, KprobeOpts* opts);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    public static partial int MapDeleteElem(int fd, void* key);

    [LibraryImport(Libraries.LibBpf, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    public static partial int MapGetNextKey(int fd, void* key, void* nextKey);
}
