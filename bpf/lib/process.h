/* SPDX-License-Identifier: GPL-2.0 */
/* Process lifecycle messages; layouts mirrored by the C# decoder (ProcessMessages.cs). */
#pragma once

#include "common.h"

#define ARGS_MAX 8192
#define PATH_MAX_COMPONENTS 64
#define NAME_MAX_READ 256
#define DATA_MAX 16384
#define CGROUP_NAME_MAX 96
#define ENV_MAX 4096

/* msg_exec.flags */
#define EXEC_TRUNC_ARGS (1 << 0)
#define EXEC_ERROR_ARGS (1 << 1)
#define EXEC_TRUNC_CWD (1 << 2)
#define EXEC_TRUNC_BINARY (1 << 3)
#define EXEC_TRUNC_ENV (1 << 4)

enum ns_index {
	NS_UTS,
	NS_IPC,
	NS_MNT,
	NS_PID,
	NS_PID_FOR_CHILDREN,
	NS_NET,
	NS_TIME,
	NS_TIME_FOR_CHILDREN,
	NS_CGROUP,
	NS_USER,
	NS_COUNT,
};

struct msg_creds {
	__u32 uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
	__u32 securebits;
	__u32 pad;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_inheritable;
};

/*
 * Exec: fixed part, then data: the argv block (NUL separated, argv[0] first),
 * then the cwd and the binary as path components, leaf first, each NUL ended,
 * then the environment block ("K=V", NUL separated) when it is captured.
 */
struct msg_exec {
	struct msg_common common;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 nspid;
	__u32 auid;
	__u32 flags;
	__u64 cgroup_id;
	__u64 parent_start_ns;
	struct msg_creds creds;
	__u32 ns[NS_COUNT];
	__u16 args_len;
	__u16 cwd_len;
	__u16 binary_len;
	__u16 env_len;
	/* The cgroup v2 directory and its parent ("docker", "<id>"): the container id even
	 * when the directory is gone before user space looks (short-lived containers). */
	char cgroup_parent[CGROUP_NAME_MAX];
	char cgroup_name[CGROUP_NAME_MAX];
	/* The executed file's inode and links (0: a memfd or a deleted file, a fileless exec). */
	__u64 binary_ino;
	__u32 binary_nlink;
	/* Non-zero for a privileged exec (setuid, setgid or file capabilities): bprm->per_clear or
	 * bprm->secureexec (AT_SECURE), which is what file capabilities set on recent kernels. */
	__u32 privileged;
};

struct msg_exit {
	struct msg_common common;
	__u32 pid;
	__u32 tid;
	__u32 exit_code;
	__u32 pad;
	__u64 cgroup_id;
};

/*
 * The binary of each thread group, written at exec (forward path, "/usr/bin/mkdir"),
 * copied to the child at fork and dropped at exit. Generic sensors read it for
 * matchBinaries; user space fills it at start-up for processes already running.
 */
#define BINARY_MAX 256

struct exec_binary {
	__u32 len;
	__u32 pad;
	char path[BINARY_MAX];
	/* matchBinaries followChildren: bit n set when this process or an ancestor (since the
	 * filter was added) ran one of filter n's binaries. Inherited at fork, kept across exec. */
	__u64 follow;
};

/* followChildren: binary path (NUL padded) -> the bits of the filters that name it. */
struct follow_key {
	char path[BINARY_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* usually empty: memory only for the paths named */
	__type(key, struct follow_key);
	__type(value, __u64);
} follow_binaries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct exec_binary);
} exec_binary_map SEC(".maps");

/*
 * What matchCapabilityChanges and matchNamespaceChanges compare against, per thread group:
 * the effective capabilities at its last exec (a gain after it is a runtime escalation), and
 * the namespaces it inherited at fork (not renewed at exec, so `unshare --mount cmd` shows as
 * a change). Kept like exec_binary_map, only while a policy needs it.
 */
struct exec_baseline {
	__u64 cap_effective;
	__u32 ns[NS_COUNT];
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct exec_baseline);
} exec_baseline_map SEC(".maps");

/*
 * [0] = 1 while a policy uses matchBinaries. Only then do exec, fork and exit keep
 * exec_binary_map (an LRU update each, ~0.7 us); user space seeds it from /proc when it
 * turns this on, so processes started meanwhile are known too.
 * [1] = 1 while a policy uses matchCapabilityChanges or matchNamespaceChanges: the same for
 * exec_baseline_map.
 * [2] = 1 while a matchBinaries filter has followChildren: exec looks its binary up in
 * follow_binaries (with [0] on).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} binary_tracking SEC(".maps");

static __always_inline bool tracking_binaries(void)
{
	__u32 zero = 0;
	__u32 *on = bpf_map_lookup_elem(&binary_tracking, &zero);

	return on && *on;
}

static __always_inline bool tracking_follow(void)
{
	__u32 two = 2;
	__u32 *on = bpf_map_lookup_elem(&binary_tracking, &two);

	return on && *on;
}

static __always_inline bool tracking_baselines(void)
{
	__u32 one = 1;
	__u32 *on = bpf_map_lookup_elem(&binary_tracking, &one);

	return on && *on;
}

struct msg_clone {
	struct msg_common common;
	__u32 pid;
	__u32 ppid;
	__u64 cgroup_id;
	/* The child's pid namespace and its pid in it: CLONE_NEWPID makes it that namespace's pid 1. */
	__u32 nspid;
	__u32 pidns;
};
