namespace Tetragon.Docker.Agent.Sensors;

/// <summary>
/// Mirrors bpf/generic/generic.h: sizes, offsets and codes of the generic sensor's maps
/// and event. Change both together; the C side pins sizes with _Static_assert, and the
/// encoder tests and the E2E policy tests fail on a mismatch.
/// </summary>
internal static class GenericLayout
{
    public const int MaxHooks = 256;
    public const int MaxArgs = 5;
    public const int RetSlot = 5;
    public const int Slots = 6;
    public const int MaxSelectors = 5;
    public const int MaxArgFilters = 5;
    public const int MaxRetFilters = 2;
    public const int MaxBinFilters = 2;
    public const int MaxPidFilters = 2;
    public const int MaxActions = 3;
    public const int MaxNsFilters = 2;
    public const int MaxCapFilters = 2;
    public const int MaxValues = 8;
    public const int RouteHooks = 15;
    public const int MaxSyscalls = 512;
    public const int ArgMax = 256;
    public const int StringCompareMax = 250;
    public const byte NoSelector = 0xff;
    public const byte NoSizeArg = 0xff;

    // struct gen_arg (8)
    public const int ArgSize = 8;

    // struct gen_filter (72)
    public const int FilterSize = 72;
    public const int FilterValues = 8;

    // struct gen_pid_filter (40)
    public const int PidFilterSize = 40;

    // struct gen_action (16)
    public const int ActionSize = 16;

    // struct gen_ns_filter (8), gen_cap_filter (16)
    public const int NsFilterSize = 8;
    public const int CapFilterSize = 16;

    // struct gen_selector (696): counts nargs, nrets, nbins, npids, nactions, nns, ncaps at 0-6
    public const int SelectorSize = 696;
    public const int SelArgs = 8;
    public const int SelRets = 368;
    public const int SelBinOps = 512;
    public const int SelPids = 520;
    public const int SelActions = 600;
    public const int SelNs = 648;
    public const int SelCaps = 664;

    // struct gen_hook (3552)
    public const int HookSize = 3552;
    public const int HookArgs = 32;
    public const int HookSels = 72;
    public const int HookMonitor = 24;
    public const int HookScope = 28;

    // struct gen_route (64), gen_str_key (260), gen_num_key (16), exec_binary (272)
    public const int RouteSize = 64;
    public const int StrKeySize = 260;
    public const int NumKeySize = 16;
    public const int ExecBinarySize = 272;

    /// <summary>exec_binary.follow: the followChildren bits (u64) after the path.</summary>
    public const int ExecBinaryFollow = 264;

    /// <summary>A matchBinaries op byte with followChildren: this flag, BinFollowNot for NotIn, the bit (0-63) below.</summary>
    public const byte BinFollow = 0x80;
    public const byte BinFollowNot = 0x40;

    /// <summary>struct exec_baseline: cap_effective, ns[NS_COUNT], pad.</summary>
    public const int ExecBaselineSize = 56;
    public const int NsCount = 10;

    /// <summary>gen_ns_filter.ns of a matchNamespaceChanges filter (GEN_NS_CHANGES).</summary>
    public const byte NsChanges = 0xff;
    public const int BinaryMax = 256;

    // struct msg_generic (80): ... truncated at 59, arg_len[6] at 60, kstack_len at 72, ustack_len at 74, trunc_size at 76.
    public const int MsgSize = 80;
    public const int MsgTruncated = 59;
    public const int MsgTruncSize = 76;
    public const int MsgKernelStackLen = 72;
    public const int MsgUserStackLen = 74;

    // struct gen_sockaddr (20): family, port (host order), address (AF_INET: 4 bytes, AF_INET6: 16).
    public const int SockaddrSize = 20;
    public const int SockSize = 52; // struct gen_sock
    public const int SkbSize = 60;  // struct gen_skb: a gen_sock, then len and hash
    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;

    // Filter id slots (4 bits): 0-4 args, 5-6 return, 7-8 binaries, 9-10 pids, 11-12 namespaces.
    public const int SlotRet = 5;
    public const int SlotBin = 7;
    public const int SlotPid = 9;
    public const int SlotNs = 11;

    public static uint FilterId(uint hook, int selector, int slot) => (hook << 8) | ((uint)selector << 4) | (uint)slot;

    // Counters: counters[hook * CounterStride + Counter*].
    public const int CounterStride = 8;
    public const int CounterSeen = 0;
    public const int CounterMatched = 1;
    public const int CounterPosted = 2;
    public const int CounterRateLimited = 3;
    public const int CounterSignals = 4;
    public const int CounterErrors = 5;
    public const int CounterNoPost = 6;
    public const int CounterMonitored = 7;

    // Arg types (GEN_TYPE_*).
    public const byte TypeS32 = 1;
    public const byte TypeU32 = 2;
    public const byte TypeS64 = 3;
    public const byte TypeU64 = 4;
    public const byte TypeString = 5;
    public const byte TypeCharBuf = 6;
    public const byte TypeFd = 7;
    public const byte TypeS16 = 8;
    public const byte TypeU16 = 9;
    public const byte TypeS8 = 10;
    public const byte TypeU8 = 11;
    public const byte TypeDataLoc = 12;
    public const byte TypeSockaddr = 13;
    public const byte TypeFile = 14;
    public const byte TypePath = 15;
    public const byte TypeLinuxBinprm = 16;
    public const byte TypeSock = 17;
    public const byte TypeCred = 18;
    public const byte TypeDentry = 19;
    public const byte TypeSocket = 20;
    public const byte TypeSkb = 21;
    public const byte TypeCapability = 22;
    public const byte TypeKernelCap = 23;
    public const byte TypeUserNs = 24;
    public const byte TypeBpfAttr = 25;
    public const byte TypeBpfMap = 26;
    public const byte TypeModule = 27;
    public const byte TypeNetDevice = 28;
    public const byte TypeBpfProg = 29;
    public const byte TypePerfEvent = 30;
    public const byte TypeLoadInfo = 31;
    public const byte TypeKiocb = 32;
    public const byte TypeIovIter = 33;
    public const byte TypeSyscall64 = 34;
    public const byte TypeCharIovec = 35;

    /// <summary>struct gen_userns: level, uid, gid, inum.</summary>
    public const int UserNsSize = 16;

    /// <summary>struct gen_bpf_attr: prog_type, insn_cnt, prog_name[16].</summary>
    public const int BpfAttrSize = 24;

    /// <summary>struct gen_bpf_map: map_type, key_size, value_size, max_entries, name[16].</summary>
    public const int BpfMapSize = 32;

    /// <summary>struct gen_module: name[56], taints (a load_info: 1 signature verified, 0 not, 2 no verdict).</summary>
    public const int ModuleSize = 64;

    /// <summary>struct gen_perf_event: kprobe_func[128], config, probe_offset, type, pad.</summary>
    public const int PerfEventSize = 152;

    /// <summary>struct gen_cred: ids[8], securebits, userns_level, the three cap sets, userns inum, uid, gid, pad.</summary>
    public const int CredSize = 80;
    public const byte ArgKernelMem = 1;
    public const byte ArgReturnCopy = 2;

    // Operators (GEN_OP_*).
    public const byte OpEqual = 1;
    public const byte OpNotEqual = 2;
    public const byte OpPrefix = 3;
    public const byte OpNotPrefix = 4;
    public const byte OpPostfix = 5;
    public const byte OpNotPostfix = 6;
    public const byte OpMask = 7;
    public const byte OpGreaterThan = 8;
    public const byte OpLessThan = 9;
    public const byte OpIn = 10;
    public const byte OpNotIn = 11;
    public const byte OpSPort = 12;
    public const byte OpNotSPort = 13;
    public const byte OpSPortPriv = 14;
    public const byte OpNotSPortPriv = 15;
    public const byte OpSAddr = 16;
    public const byte OpNotSAddr = 17;
    public const byte OpFamily = 18;
    public const byte OpDPort = 19;
    public const byte OpNotDPort = 20;
    public const byte OpDPortPriv = 21;
    public const byte OpNotDPortPriv = 22;
    public const byte OpDAddr = 23;
    public const byte OpNotDAddr = 24;
    public const byte OpProtocol = 25;
    public const byte OpState = 26;

    public const byte KindSigned = 0;
    public const byte KindUnsigned = 1;
    public const byte KindString = 2;
    public const byte KindSockaddr = 3;
    public const byte KindSock = 4;

    // Actions: Tetragon's KprobeAction numbers.
    public const byte ActionPost = 1;
    public const byte ActionSigkill = 3;
    public const byte ActionOverride = 5;
    public const byte ActionFollowFd = 2;
    public const byte ActionUnfollowFd = 4;
    public const byte ActionCopyFd = 6;
    public const byte ActionGetUrl = 7;
    public const byte ActionDnsLookup = 8;
    public const byte ActionNoPost = 9;
    public const byte ActionSignal = 10;
}
