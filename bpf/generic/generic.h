/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic sensor (TracingPolicy hooks): per-hook configuration in maps, argument
 * capture, selectors evaluated here in the kernel, actions, and the event. Shared by
 * the syscall, tracepoint and uprobe objects; every map below is created by the first
 * object the agent loads and reused (by fd) by the others.
 *
 * Layouts are mirrored by the C# side (Sensors/GenericLayout.cs): change both.
 */
#pragma once

#include "task.h"

#define GEN_MAX_HOOKS 256
#define GEN_MAX_ARGS 5
#define GEN_RET_SLOT 5
#define GEN_SLOTS 6
#define GEN_MAX_SELECTORS 5
#define GEN_MAX_ARG_FILTERS 5
#define GEN_MAX_RET_FILTERS 2
#define GEN_MAX_BIN_FILTERS 2
#define GEN_MAX_PID_FILTERS 2
#define GEN_MAX_ACTIONS 3
#define GEN_MAX_NS_FILTERS 2
#define GEN_MAX_CAP_FILTERS 2
#define GEN_MAX_VALUES 8
#define GEN_ROUTE_HOOKS 15
#define GEN_MAX_SYSCALLS 512
#define GEN_ARG_MAX 256		/* bytes captured of one string or buffer argument */
#define GEN_DATA_SIZE 2048	/* room for every argument: 6 * GEN_ARG_MAX < 2048 */
#define GEN_STR_CMP 250		/* bytes of a string compared in a selector */
#define GEN_NO_SELECTOR 0xff

/* v when below n, else 0: a bound the verifier sees on the very register used afterwards. */
#define GEN_BOUND(v, n)                                                          \
	({                                                                       \
		__u64 __v = (v);                                                 \
		asm volatile("if %0 < %1 goto +1; %0 = 0" : "+r"(__v) : "i"(n)); \
		__v;                                                             \
	})

/* Argument types (the C# GenericArgType mirrors them). */
enum {
	GEN_TYPE_NONE = 0,
	GEN_TYPE_S32 = 1,
	GEN_TYPE_U32 = 2,
	GEN_TYPE_S64 = 3,
	GEN_TYPE_U64 = 4,
	GEN_TYPE_STRING = 5,  /* NUL-ended string at a pointer (user, then kernel memory) */
	GEN_TYPE_CHAR_BUF = 6,/* bytes at a pointer, the size in another argument */
	GEN_TYPE_FD = 7,      /* a file descriptor of the current task: reported as its path */
	GEN_TYPE_S16 = 8,
	GEN_TYPE_U16 = 9,
	GEN_TYPE_S8 = 10,
	GEN_TYPE_U8 = 11,
	GEN_TYPE_DATA_LOC = 12, /* tracepoint __data_loc string */
	GEN_TYPE_SOCKADDR = 13, /* struct sockaddr at a user pointer: captured as struct gen_sockaddr */
	/* Kernel pointers (kprobes on kernel functions), each reported as its path. */
	GEN_TYPE_FILE = 14,         /* struct file * */
	GEN_TYPE_PATH = 15,         /* struct path * */
	GEN_TYPE_LINUX_BINPRM = 16, /* struct linux_binprm *: the file being executed */
	GEN_TYPE_SOCK = 17,         /* struct sock *: captured as struct gen_sock */
	GEN_TYPE_CRED = 18,         /* struct cred *: captured as struct gen_cred */
	GEN_TYPE_DENTRY = 19,       /* struct dentry *: its path within its filesystem */
	GEN_TYPE_SOCKET = 20,       /* struct socket *: its struct sock, captured as struct gen_sock */
	GEN_TYPE_SKB = 21,          /* struct sk_buff *: its IP and port headers, captured as struct gen_skb */
	GEN_TYPE_CAPABILITY = 22,   /* int: a capability number, filtered and reported as capability_arg */
	GEN_TYPE_KERNEL_CAP = 23,   /* kernel_cap_t *: the 64-bit set it points to */
	GEN_TYPE_USER_NS = 24,      /* struct user_namespace *: captured as struct gen_userns */
	GEN_TYPE_BPF_ATTR = 25,     /* union bpf_attr * (BPF_PROG_LOAD): captured as struct gen_bpf_attr */
	GEN_TYPE_BPF_MAP = 26,      /* struct bpf_map *: captured as struct gen_bpf_map */
	GEN_TYPE_MODULE = 27,       /* struct module *: captured as struct gen_module */
	GEN_TYPE_NET_DEVICE = 28,   /* struct net_device *: its name, a string */
	GEN_TYPE_BPF_PROG = 29,     /* struct bpf_prog *: captured as struct gen_bpf_attr */
	GEN_TYPE_PERF_EVENT = 30,   /* struct perf_event *: captured as struct gen_perf_event */
	GEN_TYPE_LOAD_INFO = 31,    /* struct load_info * (a module being loaded): captured as struct gen_module */
	GEN_TYPE_KIOCB = 32,        /* struct kiocb *: the path of its file */
	GEN_TYPE_IOV_ITER = 33,     /* struct iov_iter *: the bytes of its first segment, as a char_buf */
	GEN_TYPE_SYSCALL64 = 34,    /* a syscall number (raw_syscalls' id): bit 31 set for a 32-bit (compat) task */
	GEN_TYPE_CHAR_IOVEC = 35,   /* struct iovec * at a user pointer, the count in another argument: the bytes */
};

/* Address families a sockaddr argument decodes (linux/socket.h). */
#define GEN_AF_INET 2
#define GEN_AF_INET6 10

/* A sockaddr argument in the event: the family, the port in host order and the address. */
struct gen_sockaddr {
	__u16 family;
	__u16 port;
	__u8 addr[16]; /* AF_INET: the first 4 bytes */
};

_Static_assert(sizeof(struct gen_sockaddr) == 20, "gen_sockaddr layout");

/* A sock argument in the event: what Tetragon's KprobeSock reports. Ports in host order. */
struct gen_sock {
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 sport;
	__u16 dport;
	__u8 state;
	__u8 pad;
	__u32 mark;
	__u32 priority;
	__u8 saddr[16]; /* AF_INET: the first 4 bytes */
	__u8 daddr[16];
};

_Static_assert(sizeof(struct gen_sock) == 52, "gen_sock layout");

/* An skb argument: its headers in a gen_sock (so the sock filters apply), then its length and hash. */
struct gen_skb {
	struct gen_sock sock;
	__u32 len;
	__u32 hash;
};

_Static_assert(sizeof(struct gen_skb) == 60, "gen_skb layout");

/* What a sock or sockaddr filter compares: the common fields of both. */
struct gen_sockview {
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 protocol;
	__u8 state;
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
};


/* gen_arg.flags */
#define GEN_ARG_KERNEL_MEM (1 << 0)
#define GEN_ARG_RETURN_COPY (1 << 1) /* a buffer the call fills: read at the return (the last slot) */

/* Filter operators (FilterOperator / BinaryOperator in the plan, renumbered). */
enum {
	GEN_OP_EQUAL = 1,
	GEN_OP_NOT_EQUAL = 2,
	GEN_OP_PREFIX = 3,
	GEN_OP_NOT_PREFIX = 4,
	GEN_OP_POSTFIX = 5,
	GEN_OP_NOT_POSTFIX = 6,
	GEN_OP_MASK = 7,
	GEN_OP_GT = 8,
	GEN_OP_LT = 9,
	GEN_OP_IN = 10,      /* pids */
	GEN_OP_NOT_IN = 11,  /* pids */
	/* sockaddr arguments (Tetragon: sockaddr supports [Not]SAddr, [Not]SPort[Priv], Family) */
	GEN_OP_SPORT = 12,
	GEN_OP_NOT_SPORT = 13,
	GEN_OP_SPORT_PRIV = 14,
	GEN_OP_NOT_SPORT_PRIV = 15,
	GEN_OP_SADDR = 16,
	GEN_OP_NOT_SADDR = 17,
	GEN_OP_FAMILY = 18,
	/* sock arguments also compare the destination, the protocol and the TCP state */
	GEN_OP_DPORT = 19,
	GEN_OP_NOT_DPORT = 20,
	GEN_OP_DPORT_PRIV = 21,
	GEN_OP_NOT_DPORT_PRIV = 22,
	GEN_OP_DADDR = 23,
	GEN_OP_NOT_DADDR = 24,
	GEN_OP_PROTOCOL = 25,
	GEN_OP_STATE = 26,
};

/* gen_filter.kind */
enum {
	GEN_KIND_SIGNED = 0,
	GEN_KIND_UNSIGNED = 1,
	GEN_KIND_STRING = 2,
	GEN_KIND_SOCKADDR = 3,
	GEN_KIND_SOCK = 4,
};

/* Actions keep Tetragon's KprobeAction numbers. */
#define GEN_ACTION_POST 1
#define GEN_ACTION_SIGKILL 3
#define GEN_ACTION_OVERRIDE 5 /* trampoline hooks (lsm, fmod_ret) only: the program returns the error */
#define GEN_ACTION_NOPOST 9
#define GEN_ACTION_SIGNAL 10
/* GetUrl (7) and DnsLookup (8) post like Post: user space makes the request after the event. */

/* Per-hook counters: counters[hook * GEN_COUNTERS + GEN_CNT_*], per CPU. */
#define GEN_COUNTERS 8
enum {
	GEN_CNT_SEEN = 0,      /* the hook fired (enabled) */
	GEN_CNT_MATCHED = 1,   /* a selector matched */
	GEN_CNT_POSTED = 2,    /* an event was written to the ring buffer */
	GEN_CNT_RATE_LIMITED = 3,
	GEN_CNT_SIGNALS = 4,
	GEN_CNT_ERRORS = 5,    /* an argument could not be read, or the ring buffer was full */
	GEN_CNT_NOPOST = 6,
	GEN_CNT_MONITORED = 7, /* an enforcement action elided: the policy is in monitor mode */
};

struct gen_arg {
	__u8 type;
	__u8 src;      /* register (syscalls, uprobes) or raw slot (tracepoints) */
	__u8 size_src; /* for char_buf: the register holding the size; 0xff none */
	__u8 flags;
	__u16 tp_offset;
	__u16 tp_size;
};

struct gen_filter {
	__u8 op;
	__u8 slot;     /* argument slot (position in args[]), or GEN_RET_SLOT */
	__u8 kind;
	__u8 nvalues;
	__u32 pad;
	__u64 values[GEN_MAX_VALUES]; /* [0]: GT / LT bound, or the OR of Mask values;
				       * SPort: port ranges, first | last << 16 (nvalues of them);
				       * Equal values, single ports and families live in gen_numbers,
				       * strings and SAddr networks in gen_strings */
};

struct gen_pid_filter {
	__u8 op;
	__u8 follow_forks;
	__u8 ns_pid;
	__u8 npids;
	__u32 pids[GEN_MAX_VALUES];
	__u32 pad;
};

/*
 * matchNamespaces: the task's namespace (NS_*) In / NotIn the inodes in gen_numbers.
 * matchNamespaceChanges (ns == GEN_NS_CHANGES): In = one of changed_mask's namespaces (bit NS_*)
 * differs from the baseline in exec_baseline_map; NotIn = none does.
 */
#define GEN_NS_CHANGES 0xff

struct gen_ns_filter {
	__u8 op;
	__u8 ns;
	__u16 changed_mask;
	__u8 pad[4];
};

/*
 * matchCapabilities: In = the task has one of mask's capabilities in the set; NotIn = none.
 * matchCapabilityChanges (changes = 1, effective set): In = it gained one of them since its
 * exec (exec_baseline_map); NotIn = it gained some, none of them.
 * isNamespaceCapability (host_userns != 0): only a task outside the host's user namespace can match.
 */
struct gen_cap_filter {
	__u8 op;
	__u8 set; /* 0 effective, 1 inheritable, 2 permitted */
	__u8 changes;
	__u8 pad;
	__u32 host_userns;
	__u64 mask;
};

struct gen_action {
	__u8 kind;
	__u8 scope;  /* rate limit: 0 thread, 1 process, 2 global */
	__u8 kernel_stack; /* Post with kernelStackTrace */
	__u8 user_stack;   /* Post with userStackTrace */
	__u32 signal; /* Signal: the signal; Override: the error to return */
	__u64 rate_limit_ns;
};

struct gen_selector {
	__u8 nargs, nrets, nbins, npids, nactions, nns, ncaps;
	__u8 pad;
	struct gen_filter args[GEN_MAX_ARG_FILTERS];
	struct gen_filter rets[GEN_MAX_RET_FILTERS];
	__u8 bin_ops[GEN_MAX_BIN_FILTERS];
	__u8 pad2[6];
	struct gen_pid_filter pids[GEN_MAX_PID_FILTERS];
	struct gen_action actions[GEN_MAX_ACTIONS];
	struct gen_ns_filter ns[GEN_MAX_NS_FILTERS];
	struct gen_cap_filter caps[GEN_MAX_CAP_FILTERS];
};

struct gen_hook {
	__u32 enabled;
	__u32 op;        /* MSG_OP_GENERIC_* of its events */
	__u32 nargs;
	__u32 has_return;
	__u32 nselectors;
	__u32 ret_type;
	__u32 monitor;   /* policy-mode monitor: Sigkill, Signal and Override are counted, not done */
	__u32 scope;     /* podSelector/containerSelector: only tasks in its cgroups (gen_scopes); 0: all */
	struct gen_arg args[GEN_MAX_ARGS];
	struct gen_selector sels[GEN_MAX_SELECTORS];
};

_Static_assert(sizeof(struct gen_filter) == 72, "gen_filter layout");
_Static_assert(sizeof(struct gen_selector) == 696, "gen_selector layout");
_Static_assert(sizeof(struct gen_hook) == 3552, "gen_hook layout");

/* Syscall number -> the hooks on it. */
struct gen_route {
	__u32 count;
	__u32 hooks[GEN_ROUTE_HOOKS];
};

/*
 * A string value of one filter: data = filter id (4 bytes) + bytes; see gen_filter_id.
 * An SAddr network: data = filter id + family (1 byte) + address, prefixlen = 40 + its bits.
 */
struct gen_str_key {
	__u32 prefixlen;
	__u8 data[256];
};

/* A number of an Equal / NotEqual filter, or a pid of a matchPIDs filter. */
struct gen_num_key {
	__u32 fid;
	__u32 pad;
	__u64 value;
};

struct gen_rate_key {
	__u32 hook;
	__u32 selector;
	__u64 scope_id;
};

/* The event: header, then the captured arguments packed in slot order (arg_len each). */
struct msg_generic {
	struct msg_common common;
	__u32 pid;
	__u32 tid;
	__u32 hook_id;
	__u32 action;
	__u64 cgroup_id;
	__s64 ret;
	__u64 id;        /* syscall number, or the attach cookie */
	__u8 selector;
	__u8 has_ret;
	__u8 nargs;
	__u8 truncated;  /* bit per argument slot */
	__u16 arg_len[GEN_SLOTS];
	__u16 kstack_len; /* bytes of kernel return addresses after the arguments (kernelStackTrace) */
	__u16 ustack_len; /* bytes of user return addresses after those (userStackTrace) */
	__u32 trunc_size; /* the size of the first char_buf cut to GEN_ARG_MAX: truncated_bytes_arg's orig_size */
};

_Static_assert(sizeof(struct msg_generic) == 80, "msg_generic layout");

/* kernelStackTrace, userStackTrace: at most this many bytes of return addresses (8 each) each. */
#define GEN_KSTACK_MAX (127 * 8)

struct gen_event {
	struct msg_generic msg;
	char data[GEN_DATA_SIZE + GEN_ARG_MAX];
};

/*
 * What the bpf_loop callbacks carry from one call to the next. It lives in the heap, not in
 * gen_ctx on the stack: the verifier tracks a stack slot's value, so a callback that changes one
 * is verified again for each value it can take (to convergence, since 6.7), and the selector
 * and filter loops nested that past the 1M-instruction limit. A map value's contents are not
 * tracked: each callback is verified once or twice.
 */
struct gen_loop {
	__u32 sel_mask; /* selectors that passed at entry */
	__u32 cur_sel;  /* selector being evaluated */
	__u32 off;      /* capture: next free byte of ev.data */
	__u8 match;     /* the selector that matched (GEN_NO_SELECTOR: none) */
	__u8 fail;      /* a filter of cur_sel did not match */
	__u8 hook_has_return;
	__u8 override;  /* Override: the trampoline program returns override_ret */
	__s32 override_ret;
	__u64 copy_ptr;  /* returnCopy: the buffer (or iovec array), read at the return */
	__u32 copy_slot; /* returnCopy: its slot (GEN_MAX_ARGS: none) */
	__u32 copy_iovcnt; /* returnCopy of a char_iovec: its segment count + 1 (0: a char_buf) */
};

/* Per-CPU scratch: the event being built plus what the selectors need. */
struct gen_heap {
	struct gen_event ev;
	struct gen_loop loop;
	__u64 raw[GEN_SLOTS];      /* the raw argument words */
	__s64 vals[GEN_SLOTS];     /* numeric value per slot, extended per type */
	__u16 off[GEN_SLOTS];      /* where each slot's bytes start in ev.data */
	__u16 pad[2];
	char str[GEN_ARG_MAX * 2]; /* the string being compared */
	struct gen_str_key key;
	__u16 starts[PATH_MAX_COMPONENTS];
	/* A socket filter's scratch, here rather than on a stack that the 6.1 verifier caps at 512
	 * bytes over the whole call chain (sys_exit -> loop -> filters -> string compare -> ...). */
	union {
		struct gen_sock sock;
		struct gen_sockaddr sockaddr;
	} sock_copy;
	struct gen_sockview view;
	char walk[DATA_MAX + NAME_MAX_READ]; /* path components of an fd */
};

/* What an entry left for the return: the event so far, and which selectors passed. */
struct gen_pending {
	struct gen_event ev;
	__u32 sel_mask;
	__u32 copy_slot;
	__u64 copy_ptr;
	__u32 copy_iovcnt;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_HOOKS);
	__type(key, __u32);
	__type(value, struct gen_hook);
} gen_hooks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct gen_route);
} gen_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gen_str_key);
	__type(value, __u8);
} gen_strings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct gen_num_key);
	__type(value, __u8);
} gen_numbers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GEN_MAX_HOOKS * GEN_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} gen_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct gen_rate_key);
	__type(value, __u64);
} gen_ratelimit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct gen_pending);
} gen_pending_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_heap);
} gen_heap_map SEC(".maps");

/* A policy scoped to containers: the cgroups of the containers its selectors match, kept by the agent. */
struct gen_scope_key {
	__u32 scope;
	__u32 pad;
	__u64 cgroup_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct gen_scope_key);
	__type(value, __u8);
} gen_scopes SEC(".maps");

static __always_inline bool gen_in_scope(__u32 scope)
{
	struct gen_scope_key key = { .scope = scope, .cgroup_id = bpf_get_current_cgroup_id() };

	return !scope || bpf_map_lookup_elem(&gen_scopes, &key);
}

/* What a program knows when a hook fires: scalars only, so bpf_loop callbacks can carry it. */
struct gen_ctx {
	__u64 raw[GEN_SLOTS];
	__u64 id;
	__u32 hook_id;
	__u32 route_index;
	__s64 ret;
	__u8 phase;     /* 0 entry, 1 return */
	void *prog_ctx; /* the program's context, for bpf_get_stack */
};

static __always_inline struct gen_heap *gen_heap(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&gen_heap_map, &zero);
}

static __always_inline void gen_count(__u32 hook, __u32 counter)
{
	__u32 key = hook * GEN_COUNTERS + counter;
	__u64 *v = bpf_map_lookup_elem(&gen_counters, &key);

	if (v)
		*v += 1;
}

/* Filter ids: unique per (hook, selector, slot); a slot (4 bits) is 0-4 args, 5-6 return, 7-8 binaries, 9-10 pids, 11-12 namespaces. */
#define GEN_SLOT_RET 5
#define GEN_SLOT_BIN 7
#define GEN_SLOT_PID 9
#define GEN_SLOT_NS 11

static __always_inline __u32 gen_filter_id(__u32 hook, __u32 sel, __u32 slot)
{
	return (hook << 8) | (sel << 4) | slot;
}

static __always_inline __s64 gen_extend(__u8 type, __u64 raw)
{
	switch (type) {
	case GEN_TYPE_S32:
	case GEN_TYPE_FD:
	case GEN_TYPE_CAPABILITY:
		return (__s64)(__s32)raw;
	case GEN_TYPE_U32:
		return (__s64)(__u32)raw;
	case GEN_TYPE_S16:
		return (__s64)(__s16)raw;
	case GEN_TYPE_U16:
		return (__s64)(__u16)raw;
	case GEN_TYPE_S8:
		return (__s64)(__s8)raw;
	case GEN_TYPE_U8:
		return (__s64)(__u8)raw;
	default:
		return (__s64)raw;
	}
}

/* A path seen from the current task's root, forward ("/etc/shadow"), into dst. */
static __always_inline long gen_read_path(struct gen_heap *heap, const struct path *path, char *dst)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct path root = BPF_CORE_READ(task, fs, root);
	bool truncated = false;
	__u32 count = 0;

	if (!path->dentry)
		return -1;
	read_path_components_at(path, &root, heap->walk, 0, &truncated, heap->starts, &count);
	return join_path_forward(heap->walk, heap->starts, count, dst);
}

/* The path of fd in the current task, into dst. */
static __always_inline long gen_read_fd_path(struct gen_heap *heap, __u64 fd, char *dst)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	struct path path;

	if (fd >= max)
		return -1;
	bpf_probe_read_kernel(&file, sizeof(file), fds + fd);
	if (!file)
		return -1;
	path = BPF_CORE_READ(file, f_path);
	return gen_read_path(heap, &path, dst);
}

/* The path behind a kernel pointer argument of type file, path, linux_binprm, kiocb or dentry, into dst. */
static __always_inline long gen_read_kernel_path(struct gen_heap *heap, __u8 type, __u64 ptr, char *dst)
{
	struct file *file = (struct file *)ptr;
	struct path path = {};

	if (!ptr)
		return -1;
	if (type == GEN_TYPE_DENTRY) {
		/* No mount: the walk stops at the root of the dentry's filesystem, as Tetragon's does. */
		path.dentry = (struct dentry *)ptr;
		return gen_read_path(heap, &path, dst);
	}
	if (type == GEN_TYPE_PATH) {
		if (bpf_probe_read_kernel(&path, sizeof(path), (void *)ptr) < 0)
			return -1;
		return gen_read_path(heap, &path, dst);
	}
	if (type == GEN_TYPE_LINUX_BINPRM)
		file = BPF_CORE_READ((struct linux_binprm *)ptr, file);
	else if (type == GEN_TYPE_KIOCB)
		file = BPF_CORE_READ((struct kiocb *)ptr, ki_filp);
	if (!file)
		return -1;
	path = BPF_CORE_READ(file, f_path);
	return gen_read_path(heap, &path, dst);
}

/* The family, port and address of the struct sockaddr at user pointer ptr; 0 when unreadable. */
static __always_inline __u32 gen_read_sockaddr(struct gen_sockaddr *sa, __u64 ptr)
{
	__builtin_memset(sa, 0, sizeof(*sa));
	if (bpf_probe_read_user(&sa->family, sizeof(sa->family), (void *)ptr) < 0)
		return 0;
	switch (sa->family) {
	case GEN_AF_INET: /* sockaddr_in: port at 2, address at 4 */
		if (bpf_probe_read_user(&sa->port, 6, (void *)(ptr + 2)) < 0)
			return 0;
		break;
	case GEN_AF_INET6: /* sockaddr_in6: port at 2, flowinfo at 4, address at 8 */
		if (bpf_probe_read_user(&sa->port, 2, (void *)(ptr + 2)) < 0 ||
		    bpf_probe_read_user(sa->addr, 16, (void *)(ptr + 8)) < 0)
			return 0;
		break;
	default:
		break;
	}
	sa->port = __builtin_bswap16(sa->port);
	return sizeof(*sa);
}

/* The struct sock at kernel pointer ptr, as Tetragon's KprobeSock reports it. */
static __always_inline __u32 gen_read_sock(struct gen_sock *gs, __u64 ptr)
{
	struct sock *sk = (struct sock *)ptr;

	__builtin_memset(gs, 0, sizeof(*gs));
	if (!sk)
		return 0;
	gs->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	gs->type = BPF_CORE_READ(sk, sk_type);
	gs->protocol = BPF_CORE_READ(sk, sk_protocol);
	gs->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	gs->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	gs->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	gs->mark = BPF_CORE_READ(sk, sk_mark);
	gs->priority = BPF_CORE_READ(sk, sk_priority);
	if (gs->family == GEN_AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)gs->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)gs->daddr, sk, __sk_common.skc_daddr);
	} else if (gs->family == GEN_AF_INET6) {
		BPF_CORE_READ_INTO((struct in6_addr *)gs->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)gs->daddr, sk, __sk_common.skc_v6_daddr);
	}
	return sizeof(*gs);
}

/* A struct cred, as Tetragon's ProcessCredentials reports it (process_credentials_arg). */
struct gen_cred {
	__u32 ids[8]; /* uid, gid, suid, sgid, euid, egid, fsuid, fsgid: the kernel's order */
	__u32 securebits;
	__u32 userns_level;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_inheritable;
	__u32 userns_inum;
	__u32 userns_uid;
	__u32 userns_gid;
	__u32 pad;
};

_Static_assert(sizeof(struct gen_cred) == 80, "gen_cred layout");

/* The struct cred at kernel pointer ptr (commit_creds, security_* hooks). */
static __always_inline __u32 gen_read_cred(struct gen_cred *gc, __u64 ptr)
{
	struct cred *cred = (struct cred *)ptr;
	struct user_namespace *ns;

	__builtin_memset(gc, 0, sizeof(*gc));
	if (!cred)
		return 0;
	/* The eight ids sit together, uid first, in every kernel since 2.6.29: one read. */
	if (bpf_probe_read_kernel(gc->ids, sizeof(gc->ids), __builtin_preserve_access_index(&cred->uid)) < 0)
		return 0;
	gc->securebits = BPF_CORE_READ(cred, securebits);
	gc->cap_permitted = read_cap(__builtin_preserve_access_index(&cred->cap_permitted));
	gc->cap_effective = read_cap(__builtin_preserve_access_index(&cred->cap_effective));
	gc->cap_inheritable = read_cap(__builtin_preserve_access_index(&cred->cap_inheritable));
	ns = BPF_CORE_READ(cred, user_ns);
	if (ns) {
		gc->userns_level = BPF_CORE_READ(ns, level);
		gc->userns_inum = BPF_CORE_READ(ns, ns.inum);
		gc->userns_uid = BPF_CORE_READ(ns, owner.val);
		gc->userns_gid = BPF_CORE_READ(ns, group.val);
	}
	return sizeof(*gc);
}

/*
 * The packet at kernel pointer ptr, as Tetragon's KprobeSkb reports it: the IPv4 or IPv6 header
 * at the network header offset, the ports of TCP and UDP at the transport one. Each field is
 * read straight into the event, and the function is a subprogram of its own: its locals stay
 * off the capture's frame, which the syscall chain's 512-byte budget (6.1) has no room to grow.
 */
static __noinline __u32 gen_read_skb(struct gen_skb *g, __u64 ptr)
{
	struct sk_buff *skb = (struct sk_buff *)ptr;
	unsigned char *head;
	__u16 nh, th;
	__u8 version = 0;

	if (!g)
		return 0;
	__builtin_memset(g, 0, sizeof(*g));
	if (!skb)
		return 0;
	g->len = BPF_CORE_READ(skb, len);
	g->hash = BPF_CORE_READ(skb, hash);
	g->sock.mark = BPF_CORE_READ(skb, mark);
	g->sock.priority = BPF_CORE_READ(skb, priority);
	head = BPF_CORE_READ(skb, head);
	nh = BPF_CORE_READ(skb, network_header);
	th = BPF_CORE_READ(skb, transport_header);
	bpf_probe_read_kernel(&version, 1, head + nh);
	switch (version >> 4) {
	case 4: /* iphdr: protocol at 9, saddr at 12, daddr at 16 */
		g->sock.family = GEN_AF_INET;
		bpf_probe_read_kernel(&g->sock.protocol, 1, head + nh + 9);
		bpf_probe_read_kernel(g->sock.saddr, 4, head + nh + 12);
		bpf_probe_read_kernel(g->sock.daddr, 4, head + nh + 16);
		break;
	case 6: /* ipv6hdr: nexthdr at 6, saddr at 8, daddr at 24 */
		g->sock.family = GEN_AF_INET6;
		bpf_probe_read_kernel(&g->sock.protocol, 1, head + nh + 6);
		bpf_probe_read_kernel(g->sock.saddr, 16, head + nh + 8);
		bpf_probe_read_kernel(g->sock.daddr, 16, head + nh + 24);
		break;
	default:
		return sizeof(*g);
	}
	if ((g->sock.protocol == 6 || g->sock.protocol == 17) && th != (__u16)~0U) { /* TCP, UDP */
		bpf_probe_read_kernel(&g->sock.sport, 2, head + th);
		bpf_probe_read_kernel(&g->sock.dport, 2, head + th + 2);
		g->sock.sport = __builtin_bswap16(g->sock.sport);
		g->sock.dport = __builtin_bswap16(g->sock.dport);
	}
	return sizeof(*g);
}

/* Kernel objects reported by a few of their fields (Tetragon's user_ns_arg, bpf_attr_arg, bpf_map_arg, module_arg). */
struct gen_userns {
	__s32 level;
	__u32 uid;
	__u32 gid;
	__u32 inum;
};

struct gen_bpf_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	char name[16];
};

struct gen_bpf_map {
	__u32 map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	char name[16];
};

struct gen_module {
	char name[56];
	__u64 taints; /* a load_info: 1 when the module's signature was verified, 0 when not, 2 when never checked */
};

/* Tetragon's perf_event_arg: KSYM_NAME_LEN for the kprobe's function name. */
struct gen_perf_event {
	char kprobe_func[128];
	__u64 config;
	__u64 probe_offset;
	__u32 type;
	__u32 pad;
};

_Static_assert(sizeof(struct gen_userns) == 16 && sizeof(struct gen_bpf_attr) == 24 &&
	       sizeof(struct gen_bpf_map) == 32 && sizeof(struct gen_module) == 64 &&
	       sizeof(struct gen_perf_event) == 152, "gen kernel object layouts");

/* A module being loaded (kernel/module/internal.h): not in every kernel's BTF, hence the guard where it is read. */
struct load_info___gen {
	const char *name;
	bool sig_ok;
} __attribute__((preserve_access_index));

/*
 * The kernel object of `type` at ptr, written straight into the event; returns its length.
 * A subprogram of its own, like gen_read_skb: its reads stay off the capture's frame.
 */
static __noinline __u32 gen_read_kobj(void *dst, __u32 type, __u64 ptr)
{
	long n;

	if (!dst || !ptr)
		return 0;
	switch (type) {
	case GEN_TYPE_KERNEL_CAP:
		*(__u64 *)dst = read_cap((const kernel_cap_t *)ptr);
		return 8;
	case GEN_TYPE_USER_NS: {
		struct user_namespace *ns = (struct user_namespace *)ptr;
		struct gen_userns *g = dst;

		g->level = BPF_CORE_READ(ns, level);
		g->uid = BPF_CORE_READ(ns, owner.val);
		g->gid = BPF_CORE_READ(ns, group.val);
		g->inum = BPF_CORE_READ(ns, ns.inum);
		return sizeof(*g);
	}
	case GEN_TYPE_BPF_ATTR: {
		union bpf_attr *attr = (union bpf_attr *)ptr;
		struct gen_bpf_attr *g = dst;

		g->prog_type = BPF_CORE_READ(attr, prog_type);
		g->insn_cnt = BPF_CORE_READ(attr, insn_cnt);
		bpf_probe_read_kernel(g->name, sizeof(g->name), __builtin_preserve_access_index(&attr->prog_name));
		return sizeof(*g);
	}
	case GEN_TYPE_BPF_MAP: {
		struct bpf_map *map = (struct bpf_map *)ptr;
		struct gen_bpf_map *g = dst;

		g->map_type = BPF_CORE_READ(map, map_type);
		g->key_size = BPF_CORE_READ(map, key_size);
		g->value_size = BPF_CORE_READ(map, value_size);
		g->max_entries = BPF_CORE_READ(map, max_entries);
		bpf_probe_read_kernel(g->name, sizeof(g->name), __builtin_preserve_access_index(&map->name));
		return sizeof(*g);
	}
	case GEN_TYPE_BPF_PROG: {
		struct bpf_prog *prog = (struct bpf_prog *)ptr;
		struct gen_bpf_attr *g = dst;

		g->prog_type = BPF_CORE_READ(prog, type);
		g->insn_cnt = BPF_CORE_READ(prog, len);
		BPF_CORE_READ_STR_INTO(&g->name, prog, aux, name);
		return sizeof(*g);
	}
	case GEN_TYPE_PERF_EVENT: {
		struct perf_event *event = (struct perf_event *)ptr;
		struct gen_perf_event *g = dst;
		__u64 func = BPF_CORE_READ(event, attr.kprobe_func);

		/* A kprobe event's function name is still at the user pointer perf_event_open was given. */
		g->kprobe_func[0] = 0;
		if (func && bpf_probe_read_user_str(g->kprobe_func, sizeof(g->kprobe_func), (void *)func) < 0 &&
		    bpf_probe_read_kernel_str(g->kprobe_func, sizeof(g->kprobe_func), (void *)func) < 0)
			g->kprobe_func[0] = 0;
		g->type = BPF_CORE_READ(event, attr.type);
		g->config = BPF_CORE_READ(event, attr.config);
		g->probe_offset = BPF_CORE_READ(event, attr.probe_offset);
		g->pad = 0;
		return sizeof(*g);
	}
	case GEN_TYPE_MODULE: {
		struct module *mod = (struct module *)ptr;
		struct gen_module *g = dst;

		bpf_probe_read_kernel(g->name, sizeof(g->name), __builtin_preserve_access_index(&mod->name));
		g->taints = BPF_CORE_READ(mod, taints);
		return sizeof(*g);
	}
	case GEN_TYPE_LOAD_INFO: {
		struct load_info___gen *info = (struct load_info___gen *)ptr;
		struct gen_module *g = dst;

		if (!bpf_core_type_exists(struct load_info___gen))
			return 0;
		g->name[0] = 0;
		bpf_probe_read_kernel_str(g->name, sizeof(g->name), BPF_CORE_READ(info, name));
		/* sig_ok is there only with CONFIG_MODULE_SIG (2: no verdict); a relocation that failed would refuse every program. */
		g->taints = !bpf_core_field_exists(info->sig_ok) ? 2 : BPF_CORE_READ(info, sig_ok) ? 1 : 0;
		return sizeof(*g);
	}
	case GEN_TYPE_NET_DEVICE:
		/* A string, as the string filters expect it: without its NUL. */
		n = bpf_probe_read_kernel_str(dst, 16, __builtin_preserve_access_index(&((struct net_device *)ptr)->name));
		return n > 0 ? n - 1 : 0;
	default:
		return 0;
	}
}

#define GEN_IOV_TRUNCATED (1U << 31)

/*
 * The bytes an iov_iter points to, as Tetragon captures them: the user buffer of a single-segment
 * iter, or the first iovec or kvec segment. Returns their length, with GEN_IOV_TRUNCATED when
 * more than GEN_ARG_MAX were there. The iter's type numbers moved between kernels: CO-RE enums.
 */
static __noinline __u32 gen_read_iov_iter(void *dst, __u64 ptr)
{
	struct iov_iter *it = (struct iov_iter *)ptr;
	const struct kvec *seg;
	__u64 base, size;
	__u32 truncated = 0;
	bool kernel = false;
	__u8 type;

	if (!dst || !ptr || !bpf_core_field_exists(it->iter_type))
		return 0;
	type = BPF_CORE_READ(it, iter_type);
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) && type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		base = (__u64)BPF_CORE_READ(it, ubuf);
		size = BPF_CORE_READ(it, count);
	} else if (type == bpf_core_enum_value(enum iter_type, ITER_IOVEC) ||
		   type == bpf_core_enum_value(enum iter_type, ITER_KVEC)) {
		/* struct iovec and struct kvec have the same layout. */
		kernel = type == bpf_core_enum_value(enum iter_type, ITER_KVEC);
		seg = BPF_CORE_READ(it, kvec);
		base = (__u64)BPF_CORE_READ(seg, iov_base);
		size = BPF_CORE_READ(seg, iov_len);
	} else {
		return 0;
	}
	if (size > GEN_ARG_MAX) {
		size = GEN_ARG_MAX;
		truncated = GEN_IOV_TRUNCATED;
	}
	if (!size)
		return 0;
	if ((kernel ? bpf_probe_read_kernel(dst, size & (GEN_ARG_MAX * 2 - 1), (void *)base)
		    : bpf_probe_read_user(dst, size & (GEN_ARG_MAX * 2 - 1), (void *)base)) < 0)
		return 0;
	return size | truncated;
}

#define GEN_IOVEC_SEGMENTS 8
_Static_assert(GEN_ARG_MAX == 256 && GEN_DATA_SIZE - GEN_ARG_MAX == 1792, "gen_iovec_step's asm bounds");

/* A char_iovec being read: the user iovec array, and how far into ev.data the bytes have come. */
struct gen_iov_walk {
	__u64 ptr;
	__u64 count;
	__u64 limit;	/* bytes to read: GEN_ARG_MAX, or what the call returned */
	__u32 off;	/* where the argument starts in ev.data */
	__u32 done;
	__u32 segments;
	__u8 returned; /* a returnCopy: only the returned bytes count */
	__u8 truncated;
};

/* One segment (bpf_loop callback: verified once, not once per caller's state). */
static long gen_iovec_step(__u32 i, void *arg)
{
	struct gen_iov_walk *w = arg;
	struct gen_heap *heap = gen_heap();
	__u64 done = w->done, off = w->off, len;
	struct iovec iov;

	if (!heap || i >= w->count || done >= w->limit)
		return 1;
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(w->ptr + i * sizeof(iov))) < 0)
		return 1;
	len = iov.iov_len;
	if (len > w->limit - done) {
		len = w->limit - done;
		/* At the entry every byte counts; at a return, only those the call returned. */
		if (!w->returned)
			w->truncated = 1;
	}
	/* Bounds the verifier can add up (off <= 1792, done < 256, len <= 256), in asm so clang keeps them. */
	asm volatile("if %[len] <= 256 goto +1; %[len] = 256" : [len] "+r"(len));
	asm volatile("%[done] &= 255" : [done] "+r"(done));
	asm volatile("if %[off] <= 1792 goto +1; %[off] = 1792" : [off] "+r"(off));
	if (bpf_probe_read_user(heap->ev.data + off + done, len, iov.iov_base) < 0)
		return 1;
	w->done = done + len;
	w->segments = i + 1;
	return 0;
}

/*
 * Tetragon's char_iovec: the buffers of a user iovec array (readv, writev, sendmsg's), one after
 * another into ev.data at `off`, up to GEN_ARG_MAX bytes and GEN_IOVEC_SEGMENTS segments;
 * GEN_IOV_TRUNCATED when more. A returnCopy reads at the return (`returned` > 0) only the bytes
 * the call returned.
 */
static __always_inline __u32 gen_read_char_iovec(__u32 off, __u64 ptr, __u64 count, __u64 returned)
{
	struct gen_iov_walk w = {
		.ptr = ptr,
		.count = count,
		.limit = returned ? returned : GEN_ARG_MAX,
		.off = off,
		.returned = returned != 0,
	};

	if (!ptr)
		return 0;
	if (w.limit > GEN_ARG_MAX) {
		w.limit = GEN_ARG_MAX;
		w.truncated = 1;
	}
	bpf_loop(GEN_IOVEC_SEGMENTS, gen_iovec_step, &w, 0);
	if (w.segments == GEN_IOVEC_SEGMENTS && count > GEN_IOVEC_SEGMENTS && (!returned || w.done < w.limit))
		w.truncated = 1;
	return (w.done & (GEN_ARG_MAX * 2 - 1)) | (w.truncated ? GEN_IOV_TRUNCATED : 0);
}

/* A char_buf cut to GEN_ARG_MAX: its bit, and the first one's full size (truncated_bytes_arg). */
static __always_inline void gen_truncated_buf(struct gen_heap *heap, __u32 slot, __u64 size)
{
	heap->ev.msg.truncated |= 1 << slot;
	if (!heap->ev.msg.trunc_size)
		heap->ev.msg.trunc_size = size > 0xffffffffULL ? 0xffffffff : (__u32)size;
}

/* Captures one argument into the event; returns its byte length. */
static __always_inline __u32 gen_read_arg(struct gen_heap *heap, const struct gen_arg *a, __u32 slot, __u32 off,
					  const __u64 *raw)
{
	char *dst = heap->ev.data + (off & (GEN_DATA_SIZE - 1));
	__u32 src = a->src;
	__u64 value;
	__u64 size;
	long n;

	if (src >= GEN_SLOTS)
		return 0;
	value = raw[GEN_BOUND(src, GEN_SLOTS)];
	heap->vals[slot] = gen_extend(a->type, value);
	if (a->flags & GEN_ARG_RETURN_COPY) {
		/* Nothing yet: gen_exit reads the buffer once the call has filled it. */
		heap->loop.copy_ptr = value;
		heap->loop.copy_slot = slot;
		src = a->size_src;
		heap->loop.copy_iovcnt =
			a->type == GEN_TYPE_CHAR_IOVEC ? 1 + (__u32)(src < GEN_SLOTS ? raw[GEN_BOUND(src, GEN_SLOTS)] : 1) : 0;
		return 0;
	}
	switch (a->type) {
	case GEN_TYPE_STRING:
	case GEN_TYPE_DATA_LOC:
		if (a->flags & GEN_ARG_KERNEL_MEM)
			n = bpf_probe_read_kernel_str(dst, GEN_ARG_MAX, (void *)value);
		else {
			n = bpf_probe_read_user_str(dst, GEN_ARG_MAX, (void *)value);
			if (n < 0)
				n = bpf_probe_read_kernel_str(dst, GEN_ARG_MAX, (void *)value);
		}
		if (n <= 0)
			return 0;
		if (n == GEN_ARG_MAX)
			heap->ev.msg.truncated |= 1 << slot;
		return n - 1; /* without the NUL */
	case GEN_TYPE_CHAR_BUF:
		src = a->size_src;
		size = src < GEN_SLOTS ? raw[GEN_BOUND(src, GEN_SLOTS)] : GEN_ARG_MAX;
		if ((__s64)size <= 0)
			return 0;
		if (size > GEN_ARG_MAX) {
			gen_truncated_buf(heap, slot, size);
			size = GEN_ARG_MAX;
		}
		if (bpf_probe_read_user(dst, size & (GEN_ARG_MAX * 2 - 1), (void *)value) < 0 &&
		    bpf_probe_read_kernel(dst, size & (GEN_ARG_MAX * 2 - 1), (void *)value) < 0)
			return 0;
		return size;
	case GEN_TYPE_SOCKADDR:
		return gen_read_sockaddr((struct gen_sockaddr *)dst, value);
	case GEN_TYPE_SKB:
		return gen_read_skb((struct gen_skb *)dst, value);
	case GEN_TYPE_SOCKET:
		return gen_read_sock((struct gen_sock *)dst, value ? (__u64)BPF_CORE_READ((struct socket *)value, sk) : 0);
	case GEN_TYPE_SOCK:
		return gen_read_sock((struct gen_sock *)dst, value);
	case GEN_TYPE_CRED:
		return gen_read_cred((struct gen_cred *)dst, value);
	case GEN_TYPE_KERNEL_CAP:
		n = gen_read_kobj(dst, a->type, value);
		/* Filters compare the set itself, not the pointer. */
		heap->vals[slot] = n == 8 ? *(__u64 *)dst : 0;
		return n;
	case GEN_TYPE_USER_NS:
	case GEN_TYPE_BPF_ATTR:
	case GEN_TYPE_BPF_MAP:
	case GEN_TYPE_MODULE:
	case GEN_TYPE_NET_DEVICE:
	case GEN_TYPE_BPF_PROG:
	case GEN_TYPE_PERF_EVENT:
	case GEN_TYPE_LOAD_INFO:
		return gen_read_kobj(dst, a->type, value);
	case GEN_TYPE_CHAR_IOVEC:
	case GEN_TYPE_IOV_ITER:
		src = a->size_src;
		n = a->type == GEN_TYPE_IOV_ITER
			    ? gen_read_iov_iter(dst, value)
			    : gen_read_char_iovec(off, value, src < GEN_SLOTS ? raw[GEN_BOUND(src, GEN_SLOTS)] : 1, 0);
		if (n & GEN_IOV_TRUNCATED)
			heap->ev.msg.truncated |= 1 << slot;
		return n & (GEN_ARG_MAX * 2 - 1);
	case GEN_TYPE_SYSCALL64:
		/* Tetragon's encoding: an i386 syscall's number carries bit 31 (x86's TS_COMPAT task status). */
		if (bpf_core_field_exists(((struct task_struct *)0)->thread_info.status) &&
		    (BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), thread_info.status) & 0x0002))
			heap->vals[slot] = (value & 0xffffffff) | 0x80000000;
		*(__u64 *)dst = heap->vals[slot];
		return 8;
	case GEN_TYPE_FD:
	case GEN_TYPE_FILE:
	case GEN_TYPE_PATH:
	case GEN_TYPE_LINUX_BINPRM:
	case GEN_TYPE_KIOCB:
	case GEN_TYPE_DENTRY:
		n = a->type == GEN_TYPE_FD ? gen_read_fd_path(heap, value, heap->str)
					   : gen_read_kernel_path(heap, a->type, value, heap->str);
		if (n <= 0)
			return 0;
		bpf_probe_read_kernel(dst, GEN_ARG_MAX, heap->str);
		return n & (GEN_ARG_MAX - 1);
	default:
		*(__u64 *)dst = heap->vals[slot];
		return 8;
	}
}

/* Captures argument `index` (bpf_loop callback: verified once, whatever the count). */
static long gen_capture_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	struct gen_heap *heap = gen_heap();
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	__u32 i, len, off;

	if (!heap || !cfg || index >= GEN_MAX_ARGS)
		return 1;
	off = heap->loop.off;
	i = GEN_BOUND(index, GEN_MAX_ARGS);
	if (off > GEN_DATA_SIZE - GEN_ARG_MAX)
		off = GEN_DATA_SIZE - GEN_ARG_MAX;
	heap->off[i] = off;
	len = gen_read_arg(heap, &cfg->args[i], i, off, c->raw);
	heap->ev.msg.arg_len[i] = len;
	heap->loop.off = off + len;
	return 0;
}

/* Fills the event header and captures every configured argument. */
static __always_inline void gen_capture(struct gen_heap *heap, const struct gen_hook *cfg, struct gen_ctx *c)
{
	struct msg_generic *m = &heap->ev.msg;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	__builtin_memset(m, 0, sizeof(*m));
	m->common.op = cfg->op;
	m->common.ktime = bpf_ktime_get_boot_ns();
	m->pid = pid_tgid >> 32;
	m->tid = (__u32)pid_tgid;
	m->hook_id = c->hook_id;
	m->cgroup_id = bpf_get_current_cgroup_id();
	m->id = c->id;
	m->selector = GEN_NO_SELECTOR;
	m->nargs = cfg->nargs;
	heap->loop.off = 0;
	heap->loop.copy_slot = GEN_MAX_ARGS;
	bpf_loop(cfg->nargs > GEN_MAX_ARGS ? GEN_MAX_ARGS : cfg->nargs, gen_capture_step, c, 0);
}

static __always_inline __u64 gen_args_size(const struct gen_event *ev)
{
	__u64 size = 0;
	int i;

	for (i = 0; i < GEN_MAX_ARGS; i++)
		size += ev->msg.arg_len[i];
	return size;
}

static __always_inline __u64 gen_event_size(const struct gen_event *ev)
{
	return sizeof(struct msg_generic) + gen_args_size(ev) + ev->msg.kstack_len + ev->msg.ustack_len;
}

/*
 * kernelStackTrace (user 0) or userStackTrace (user 1): the return addresses, appended after the
 * arguments and the stack before them. A subprogram: one copy of the code for both, and its
 * frame sits off the selectors' deep call chain that the 6.1 verifier caps at 512 bytes.
 */
static __noinline void gen_stack(struct gen_heap *heap, struct gen_ctx *c, int user)
{
	__u64 off;
	long len;

	if (!heap || !c)
		return;
	off = gen_args_size(&heap->ev) + heap->ev.msg.kstack_len;
	/* The bound is checked on the register the access uses: clang may not recompute it. */
	asm volatile("" : "+r"(off));
	if (!c->prog_ctx || off > sizeof(heap->ev.data) - GEN_KSTACK_MAX)
		return;
	len = bpf_get_stack(c->prog_ctx, heap->ev.data + off, GEN_KSTACK_MAX, user ? BPF_F_USER_STACK : 0);
	if (len <= 0)
		return;
	if (user)
		heap->ev.msg.ustack_len = len;
	else
		heap->ev.msg.kstack_len = len;
}

/* Reverses heap->str (length *arg) in place, for postfix matching. */
static long gen_reverse_step(__u32 index, void *arg)
{
	struct gen_heap *heap = gen_heap();
	__u32 len = *(__u32 *)arg;
	__u32 j = len - 1 - index;
	char t;

	if (!heap || index >= j)
		return 1;
	t = heap->str[index & (GEN_ARG_MAX - 1)];
	heap->str[index & (GEN_ARG_MAX - 1)] = heap->str[j & (GEN_ARG_MAX - 1)];
	heap->str[j & (GEN_ARG_MAX - 1)] = t;
	return 0;
}

/*
 * Looks the string at src (len bytes, in a map value) up among the filter's values. exact: the
 * value must be the whole string. It is copied once, straight into the key; only a postfix
 * match reverses it in heap->str first.
 */
static __always_inline bool gen_string_in(struct gen_heap *heap, __u32 fid, bool exact, bool reverse,
					  const char *src, __u32 len)
{
	if (len > GEN_STR_CMP)
		len = GEN_STR_CMP;
	if (reverse) {
		bpf_probe_read_kernel(heap->str, len & 0xff, src);
		bpf_loop(len / 2 + 1, gen_reverse_step, &len, 0);
		src = heap->str;
	}
	heap->key.data[0] = fid >> 24;
	heap->key.data[1] = fid >> 16;
	heap->key.data[2] = fid >> 8;
	heap->key.data[3] = fid;
	bpf_probe_read_kernel(&heap->key.data[4], len & 0xff, src);
	heap->key.data[(4 + len) & 0xff] = 0;
	heap->key.prefixlen = 32 + 8 * (len + (exact ? 1 : 0));
	return bpf_map_lookup_elem(&gen_strings, &heap->key) != NULL;
}

static __noinline bool gen_string_op(struct gen_heap *heap, __u8 op, __u32 fid, const char *src, __u32 len)
{
	bool negate = op == GEN_OP_NOT_EQUAL || op == GEN_OP_NOT_PREFIX || op == GEN_OP_NOT_POSTFIX;
	bool exact = op == GEN_OP_EQUAL || op == GEN_OP_NOT_EQUAL;
	bool reverse = op == GEN_OP_POSTFIX || op == GEN_OP_NOT_POSTFIX;

	if (!heap)
		return false;
	return gen_string_in(heap, fid, exact, reverse, src, len) != negate;
}

static __always_inline bool gen_number_op(const struct gen_filter *f, __u32 fid, __s64 v)
{
	struct gen_num_key key = { .fid = fid, .value = v };
	__u8 op = f->op;
	__u64 x = f->values[0];

	switch (op) {
	case GEN_OP_GT:
		return f->kind == GEN_KIND_UNSIGNED ? (__u64)v > x : v > (__s64)x;
	case GEN_OP_LT:
		return f->kind == GEN_KIND_UNSIGNED ? (__u64)v < x : v < (__s64)x;
	case GEN_OP_MASK:
		return ((__u64)v & x) != 0;
	case GEN_OP_EQUAL:
		return bpf_map_lookup_elem(&gen_numbers, &key) != NULL;
	case GEN_OP_NOT_EQUAL:
		return bpf_map_lookup_elem(&gen_numbers, &key) == NULL;
	default:
		return false;
	}
}

/* A port in one of the filter's ranges (values[], first | last << 16) or among its single ports. */
static __always_inline bool gen_port_in(const struct gen_filter *f, __u32 fid, __u16 port)
{
	struct gen_num_key key = { .fid = fid, .value = port };
	int k;

	if (bpf_map_lookup_elem(&gen_numbers, &key))
		return true;
	for (k = 0; k < GEN_MAX_VALUES; k++) {
		__u64 r = f->values[k];

		if (k >= f->nvalues)
			break;
		if (port >= (__u16)r && port <= (__u16)(r >> 16))
			return true;
	}
	return false;
}

/* What socket filters compare: a sockaddr fills the source side only. */
/* The address in one of the filter's networks: an LPM lookup of family + address. */
static __always_inline bool gen_addr_in(struct gen_heap *heap, __u32 fid, __u16 family, const __u8 *addr)
{
	__u32 bits;

	if (family == GEN_AF_INET)
		bits = 32;
	else if (family == GEN_AF_INET6)
		bits = 128;
	else
		return false;
	heap->key.data[0] = fid >> 24;
	heap->key.data[1] = fid >> 16;
	heap->key.data[2] = fid >> 8;
	heap->key.data[3] = fid;
	heap->key.data[4] = family;
	__builtin_memcpy(&heap->key.data[5], addr, 16);
	heap->key.prefixlen = 40 + bits;
	return bpf_map_lookup_elem(&gen_strings, &heap->key) != NULL;
}

static __always_inline bool gen_number_in(__u32 fid, __u64 value)
{
	struct gen_num_key key = { .fid = fid, .value = value };

	return bpf_map_lookup_elem(&gen_numbers, &key) != NULL;
}

/* A sockaddr or sock argument's filter, on what the event captured of it. */
static __always_inline bool gen_socket_filter(struct gen_heap *heap, const struct gen_filter *f, __u32 fid, __u32 slot)
{
	struct gen_sockview *v = &heap->view;
	const char *at;

	if (slot >= GEN_MAX_ARGS)
		return false;
	__builtin_memset(v, 0, sizeof(*v));
	at = heap->ev.data + (heap->off[slot] & (GEN_DATA_SIZE - 1));
	/* A sock, or an skb whose headers lead with the same layout. */
	if (f->kind == GEN_KIND_SOCK && (heap->ev.msg.arg_len[slot] == sizeof(struct gen_sock) ||
					 heap->ev.msg.arg_len[slot] == sizeof(struct gen_skb))) {
		struct gen_sock *gs = &heap->sock_copy.sock;

		bpf_probe_read_kernel(gs, sizeof(*gs), at);
		v->family = gs->family;
		v->sport = gs->sport;
		v->dport = gs->dport;
		v->protocol = gs->protocol;
		v->state = gs->state;
		__builtin_memcpy(v->saddr, gs->saddr, 16);
		__builtin_memcpy(v->daddr, gs->daddr, 16);
	} else if (f->kind == GEN_KIND_SOCKADDR && heap->ev.msg.arg_len[slot] == sizeof(struct gen_sockaddr)) {
		struct gen_sockaddr *sa = &heap->sock_copy.sockaddr;

		bpf_probe_read_kernel(sa, sizeof(*sa), at);
		v->family = sa->family;
		v->sport = sa->port;
		__builtin_memcpy(v->saddr, sa->addr, 16);
	}
	switch (f->op) {
	case GEN_OP_SPORT:
		return gen_port_in(f, fid, v->sport);
	case GEN_OP_NOT_SPORT:
		return !gen_port_in(f, fid, v->sport);
	case GEN_OP_SPORT_PRIV:
		return v->sport < 1024;
	case GEN_OP_NOT_SPORT_PRIV:
		return v->sport >= 1024;
	case GEN_OP_DPORT:
		return gen_port_in(f, fid, v->dport);
	case GEN_OP_NOT_DPORT:
		return !gen_port_in(f, fid, v->dport);
	case GEN_OP_DPORT_PRIV:
		return v->dport < 1024;
	case GEN_OP_NOT_DPORT_PRIV:
		return v->dport >= 1024;
	case GEN_OP_SADDR:
		return gen_addr_in(heap, fid, v->family, v->saddr);
	case GEN_OP_NOT_SADDR:
		return !gen_addr_in(heap, fid, v->family, v->saddr);
	case GEN_OP_DADDR:
		return gen_addr_in(heap, fid, v->family, v->daddr);
	case GEN_OP_NOT_DADDR:
		return !gen_addr_in(heap, fid, v->family, v->daddr);
	case GEN_OP_FAMILY:
		return gen_number_in(fid, v->family);
	case GEN_OP_PROTOCOL:
		return gen_number_in(fid, v->protocol);
	case GEN_OP_STATE:
		return gen_number_in(fid, v->state);
	default:
		return false;
	}
}

static __always_inline bool gen_arg_filter(struct gen_heap *heap, const struct gen_filter *f, __u32 fid)
{
	__u32 slot = f->slot;

	if (slot >= GEN_SLOTS)
		return false;
	if (f->kind == GEN_KIND_SOCKADDR || f->kind == GEN_KIND_SOCK)
		return gen_socket_filter(heap, f, fid, slot);
	if (f->kind != GEN_KIND_STRING)
		return gen_number_op(f, fid, slot == GEN_RET_SLOT ? heap->ev.msg.ret : heap->vals[GEN_BOUND(slot, GEN_SLOTS)]);
	if (slot >= GEN_MAX_ARGS)
		return false;
	return gen_string_op(heap, f->op, fid, heap->ev.data + (heap->off[slot] & (GEN_DATA_SIZE - 1)),
			     heap->ev.msg.arg_len[slot] & (GEN_ARG_MAX - 1));
}

/* A matchBinaries op with followChildren: this flag, GEN_BIN_FOLLOW_NOT for NotIn, the bit's index below. */
#define GEN_BIN_FOLLOW 0x80
#define GEN_BIN_FOLLOW_NOT 0x40

static __always_inline bool gen_binary_filter(struct gen_heap *heap, __u8 op, __u32 fid)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct exec_binary *bin = bpf_map_lookup_elem(&exec_binary_map, &tgid);

	if (op & GEN_BIN_FOLLOW) {
		bool hit = bin && ((bin->follow >> (op & 0x3f)) & 1);

		return (op & GEN_BIN_FOLLOW_NOT) ? !hit : hit;
	}

	if (op == GEN_OP_NOT_IN)
		op = GEN_OP_NOT_EQUAL;
	else if (op == GEN_OP_IN)
		op = GEN_OP_EQUAL;
	if (!bin)
		return gen_string_op(heap, op, fid, heap->str, 0); /* not seen exec: the empty path */
	return gen_string_op(heap, op, fid, bin->path, bin->len & (BINARY_MAX - 1));
}

static __always_inline bool gen_pid_in(__u32 fid, __u32 pid)
{
	struct gen_num_key key = { .fid = fid, .value = pid };

	return bpf_map_lookup_elem(&gen_numbers, &key) != NULL;
}

static __always_inline __u32 gen_task_pid(struct task_struct *task, bool ns)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	return ns ? read_upid(leader).nr : BPF_CORE_READ(leader, tgid);
}

static __always_inline bool gen_pid_filter(const struct gen_pid_filter *f, __u32 fid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	bool in = gen_pid_in(fid, gen_task_pid(task, f->ns_pid));
	int depth;

	/* followForks: a descendant of a listed process counts as listed. */
	for (depth = 0; depth < 8 && !in && f->follow_forks; depth++) {
		task = BPF_CORE_READ(task, real_parent);
		if (!task || BPF_CORE_READ(task, pid) <= 1)
			break;
		in = gen_pid_in(fid, gen_task_pid(task, f->ns_pid));
	}
	return f->op == GEN_OP_NOT_IN ? !in : in;
}

/* The current task's namespace inode of kind ns (NS_*). */
static __always_inline __u32 gen_task_ns(__u8 ns)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct upid upid;

	switch (ns) {
	case NS_UTS:
		return BPF_CORE_READ(task, nsproxy, uts_ns, ns.inum);
	case NS_IPC:
		return BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
	case NS_MNT:
		return BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	case NS_PID:
		upid = read_upid(task);
		return BPF_CORE_READ(upid.ns, ns.inum);
	case NS_PID_FOR_CHILDREN:
		return BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
	case NS_NET:
		return BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	case NS_TIME:
		return bpf_core_field_exists(struct nsproxy, time_ns) ? BPF_CORE_READ(task, nsproxy, time_ns, ns.inum) : 0;
	case NS_TIME_FOR_CHILDREN:
		return bpf_core_field_exists(struct nsproxy, time_ns_for_children)
			       ? BPF_CORE_READ(task, nsproxy, time_ns_for_children, ns.inum) : 0;
	case NS_CGROUP:
		return BPF_CORE_READ(task, nsproxy, cgroup_ns, ns.inum);
	case NS_USER:
		return BPF_CORE_READ(task, cred, user_ns, ns.inum);
	default:
		return 0;
	}
}

static __always_inline bool gen_ns_changed(const struct gen_ns_filter *f)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct exec_baseline *base = bpf_map_lookup_elem(&exec_baseline_map, &tgid);
	bool changed = false;
	int i;

	if (!base)
		return false; /* unknown baseline: no change can be told */
	for (i = 0; i < NS_COUNT; i++) {
		if ((f->changed_mask & (1 << i)) && gen_task_ns(i) != base->ns[i])
			changed = true;
	}
	return changed;
}

static __always_inline bool gen_ns_filter(const struct gen_ns_filter *f, __u32 fid)
{
	struct gen_num_key key = { .fid = fid };
	bool in;

	if (f->ns == GEN_NS_CHANGES) {
		in = gen_ns_changed(f);
	} else {
		key.value = gen_task_ns(f->ns);
		in = bpf_map_lookup_elem(&gen_numbers, &key) != NULL;
	}
	return f->op == GEN_OP_NOT_IN ? !in : in;
}

static __always_inline bool gen_cap_filter(const struct gen_cap_filter *f)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u64 caps;

	if (f->host_userns && gen_task_ns(NS_USER) == f->host_userns)
		return false;
	if (f->set == 1)
		caps = read_cap(__builtin_preserve_access_index(&cred->cap_inheritable));
	else if (f->set == 2)
		caps = read_cap(__builtin_preserve_access_index(&cred->cap_permitted));
	else
		caps = read_cap(__builtin_preserve_access_index(&cred->cap_effective));
	if (f->changes) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		struct exec_baseline *base = bpf_map_lookup_elem(&exec_baseline_map, &tgid);
		__u64 gained;

		if (!base)
			return false;
		gained = caps & ~base->cap_effective;
		return f->op == GEN_OP_NOT_IN ? gained != 0 && (gained & f->mask) == 0 : (gained & f->mask) != 0;
	}
	return f->op == GEN_OP_NOT_IN ? (caps & f->mask) == 0 : (caps & f->mask) != 0;
}

/*
 * Filter `index` of the current selector (bpf_loop callback): at entry its matchPIDs, then
 * its matchNamespaces, matchCapabilities, matchBinaries, then its matchArgs; at return its matchReturnArgs. Filter ids keep
 * fixed slots (see gen_filter_id). Sets loop.fail and stops at the first filter that does not match.
 */
static long gen_filter_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	struct gen_heap *heap = gen_heap();
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	const struct gen_selector *s;
	__u32 sel, j;
	bool ok = true;

	if (!heap || !cfg)
		return 1;
	sel = heap->loop.cur_sel;
	if (sel >= GEN_MAX_SELECTORS)
		return 1;
	sel = GEN_BOUND(sel, GEN_MAX_SELECTORS);
	s = &cfg->sels[sel];
	/* The loop runs over the selector's filters only: pids, namespaces, capabilities, binaries, args. */
	if (c->phase == 0) {
		if (index < s->npids) {
			j = GEN_BOUND(index, GEN_MAX_PID_FILTERS);
			ok = gen_pid_filter(&s->pids[j], gen_filter_id(c->hook_id, sel, GEN_SLOT_PID + j));
		} else if ((index -= s->npids) < s->nns) {
			j = GEN_BOUND(index, GEN_MAX_NS_FILTERS);
			ok = gen_ns_filter(&s->ns[j], gen_filter_id(c->hook_id, sel, GEN_SLOT_NS + j));
		} else if ((index -= s->nns) < s->ncaps) {
			j = GEN_BOUND(index, GEN_MAX_CAP_FILTERS);
			ok = gen_cap_filter(&s->caps[j]);
		} else if ((index -= s->ncaps) < s->nbins) {
			j = GEN_BOUND(index, GEN_MAX_BIN_FILTERS);
			ok = gen_binary_filter(heap, s->bin_ops[j], gen_filter_id(c->hook_id, sel, GEN_SLOT_BIN + j));
		} else if ((index -= s->nbins) < s->nargs) {
			j = GEN_BOUND(index, GEN_MAX_ARG_FILTERS);
			ok = gen_arg_filter(heap, &s->args[j], gen_filter_id(c->hook_id, sel, j));
		} else {
			return 1;
		}
	} else {
		if (index >= s->nrets)
			return 1;
		j = GEN_BOUND(index, GEN_MAX_RET_FILTERS);
		ok = gen_arg_filter(heap, &s->rets[j], gen_filter_id(c->hook_id, sel, GEN_SLOT_RET + j));
	}
	if (!ok) {
		heap->loop.fail = 1;
		return 1;
	}
	return 0;
}

/*
 * Selector `index` (bpf_loop callback). Entry: pids, binaries and matchArgs; return:
 * matchReturnArgs of selectors that passed at entry. The first selector that passes
 * wins (loop.match), as in Tetragon; filters in a selector AND, selectors OR.
 */
static long gen_selector_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	struct gen_heap *heap = gen_heap();
	const struct gen_selector *s;
	__u32 steps;

	if (!cfg || !heap || index >= GEN_MAX_SELECTORS)
		return 1;
	if (c->phase == 1 && !(heap->loop.sel_mask & (1 << index)))
		return 0;
	heap->loop.cur_sel = index;
	heap->loop.fail = 0;
	/* A callback per filter the selector has, none for the slots it leaves empty. */
	s = &cfg->sels[GEN_BOUND(index, GEN_MAX_SELECTORS)];
	steps = c->phase == 1 ? s->nrets : s->npids + s->nns + s->ncaps + s->nbins + s->nargs;
	bpf_loop(steps > 16 ? 16 : steps, gen_filter_step, c, 0);
	if (heap->loop.fail)
		return 0;
	if (c->phase == 0) {
		heap->loop.sel_mask |= 1 << index;
		if (heap->loop.hook_has_return)
			return 0; /* collect every selector that passed; the return picks */
	}
	heap->loop.match = index;
	return 1;
}

/* Runs the matched selector's actions; returns whether the event is posted. */
static __always_inline bool gen_actions(struct gen_heap *heap, const struct gen_hook *cfg, struct gen_ctx *c, __u32 sel)
{
	__u32 hook_id = c->hook_id;
	const struct gen_selector *s;
	struct msg_generic *m = &heap->ev.msg;
	bool post = true;
	__u32 enforced = 0; /* GEN_CNT_SIGNALS or GEN_CNT_MONITORED, counted once after the loop */
	int k;

	if (sel >= GEN_MAX_SELECTORS)
		return false;
	s = &cfg->sels[GEN_BOUND(sel, GEN_MAX_SELECTORS)];
	m->selector = sel;
	m->action = GEN_ACTION_POST;
	for (k = 0; k < GEN_MAX_ACTIONS; k++) {
		const struct gen_action *a = &s->actions[k];

		if (k >= s->nactions)
			break;
		if (k == 0)
			m->action = a->kind;
		switch (a->kind) {
		case GEN_ACTION_NOPOST:
			post = false;
			break;
		case GEN_ACTION_SIGKILL:
		case GEN_ACTION_SIGNAL:
			if (cfg->monitor) {
				enforced = GEN_CNT_MONITORED;
				break;
			}
			bpf_send_signal(a->signal);
			enforced = GEN_CNT_SIGNALS;
			break;
		case GEN_ACTION_OVERRIDE:
			if (cfg->monitor) {
				enforced = GEN_CNT_MONITORED;
				break;
			}
			heap->loop.override = 1;
			heap->loop.override_ret = (__s32)a->signal;
			break;
		case GEN_ACTION_POST:
			if (a->kernel_stack)
				gen_stack(heap, c, 0);
			if (a->user_stack)
				gen_stack(heap, c, 1);
			if (a->rate_limit_ns) {
				__u64 now = bpf_ktime_get_boot_ns();
				struct gen_rate_key key = { .hook = hook_id, .selector = sel };
				__u64 *last;

				key.scope_id = a->scope == 0 ? m->tid : a->scope == 1 ? m->pid : 0;
				last = bpf_map_lookup_elem(&gen_ratelimit, &key);
				if (last && now - *last < a->rate_limit_ns) {
					gen_count(hook_id, GEN_CNT_RATE_LIMITED);
					post = false;
				} else {
					bpf_map_update_elem(&gen_ratelimit, &key, &now, BPF_ANY);
				}
			}
			break;
		default:
			break;
		}
	}
	/* One count site: each inlined call would take a stack slot of its own. */
	if (enforced)
		gen_count(hook_id, enforced);
	return post;
}

static __always_inline void gen_post(struct gen_event *ev, __u32 hook_id)
{
	__u64 size = gen_event_size(ev);

	asm volatile("" : "+r"(size));
	if (size > sizeof(struct gen_event))
		return;
	ev->msg.common.size = size;
	/* Batched wakeups as for process events: a wakeup per event costs the producer and the reader. */
	if (emit_event(ev, size) < 0) {
		gen_count(hook_id, GEN_CNT_ERRORS);
		return;
	}
	gen_count(hook_id, GEN_CNT_POSTED);
}

/*
 * returnCopy: the buffer the call filled (a char_buf, or a char_iovec's segments when iovcnt > 0:
 * the count + 1), as many bytes as it returned (up to GEN_ARG_MAX), after the other arguments:
 * the agent gives the copied argument the last slot.
 */
static __noinline void gen_return_copy(struct gen_heap *heap, __u32 slot, __u64 ptr, __u32 iovcnt, __u64 ret)
{
	__u64 off, size = ret;
	__u32 n;

	if (!heap)
		return;
	off = gen_args_size(&heap->ev);
	slot = GEN_BOUND(slot, GEN_MAX_ARGS);
	if (off > GEN_DATA_SIZE - GEN_ARG_MAX)
		return;
	/* In asm, so clang keeps the bounds the verifier needs: off <= 1792, size <= 256. */
	asm volatile("if %[o] <= 1792 goto +1; %[o] = 1792" : [o] "+r"(off));
	if (iovcnt) {
		n = gen_read_char_iovec(off, ptr, iovcnt - 1, ret);
		if (n & GEN_IOV_TRUNCATED)
			heap->ev.msg.truncated |= 1 << slot;
		heap->ev.msg.arg_len[slot] = n & (GEN_ARG_MAX * 2 - 1);
		return;
	}
	if (size > GEN_ARG_MAX)
		gen_truncated_buf(heap, slot, size);
	asm volatile("if %[s] <= 256 goto +1; %[s] = 256" : [s] "+r"(size));
	if (bpf_probe_read_user(heap->ev.data + off, size, (void *)ptr) < 0)
		return;
	heap->ev.msg.arg_len[slot] = size;
}

_Static_assert(GEN_ARG_MAX == 256 && GEN_DATA_SIZE - GEN_ARG_MAX == 1792, "gen_return_copy's asm bounds");

static __always_inline __u64 gen_pending_key(__u32 hook_id)
{
	return ((__u64)hook_id << 32) | (__u32)bpf_get_current_pid_tgid();
}

/* A hook fired at entry: capture, select, act, post (or keep it for the return). */
static __always_inline void gen_enter(struct gen_ctx *c)
{
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	struct gen_heap *heap = gen_heap();
	__u32 hook_id = c->hook_id;
	__u64 key;

	if (!cfg || !heap || !cfg->enabled || !gen_in_scope(cfg->scope))
		return;
	gen_count(hook_id, GEN_CNT_SEEN);
	heap->loop.hook_has_return = cfg->has_return != 0;
	gen_capture(heap, cfg, c);
	c->phase = 0;
	heap->loop.sel_mask = 0;
	heap->loop.match = GEN_NO_SELECTOR;
	if (cfg->nselectors == 0)
		heap->loop.sel_mask = 1;
	else
		bpf_loop(cfg->nselectors % (GEN_MAX_SELECTORS + 1), gen_selector_step, c, 0);
	if (!heap->loop.sel_mask)
		return;
	if (cfg->has_return) {
		key = gen_pending_key(hook_id);
		/* The event and the passing selectors wait in the map for the return. */
		if (bpf_map_update_elem(&gen_pending_map, &key, heap, BPF_ANY) < 0)
			return;
		{
			struct gen_pending *p = bpf_map_lookup_elem(&gen_pending_map, &key);

			if (p) {
				p->sel_mask = heap->loop.sel_mask;
				p->copy_slot = heap->loop.copy_slot;
				p->copy_ptr = heap->loop.copy_ptr;
				p->copy_iovcnt = heap->loop.copy_iovcnt;
			}
		}
		return;
	}
	gen_count(hook_id, GEN_CNT_MATCHED);
	if (cfg->nselectors == 0) {
		heap->ev.msg.action = GEN_ACTION_POST;
		gen_post(&heap->ev, hook_id);
		return;
	}
	if (gen_actions(heap, cfg, c, heap->loop.match))
		gen_post(&heap->ev, hook_id);
	else
		gen_count(hook_id, GEN_CNT_NOPOST);
}

/* The same hook returned: match return args, act, post with the return value. */
static __always_inline void gen_exit(struct gen_ctx *c)
{
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	struct gen_heap *heap = gen_heap();
	__u32 hook_id = c->hook_id;
	__u64 key = gen_pending_key(hook_id);
	struct gen_pending *p;
	__u32 copy_slot, copy_iovcnt;
	__u64 copy_ptr;

	if (!cfg || !heap || !cfg->has_return)
		return;
	p = bpf_map_lookup_elem(&gen_pending_map, &key);
	if (!p)
		return;
	bpf_probe_read_kernel(&heap->ev, sizeof(heap->ev), &p->ev);
	heap->loop.sel_mask = p->sel_mask;
	copy_slot = p->copy_slot;
	copy_ptr = p->copy_ptr;
	copy_iovcnt = p->copy_iovcnt;
	bpf_map_delete_elem(&gen_pending_map, &key);
	if (copy_slot < GEN_MAX_ARGS && (__s64)c->ret > 0)
		gen_return_copy(heap, copy_slot, copy_ptr, copy_iovcnt, c->ret);
	heap->ev.msg.ret = gen_extend(cfg->ret_type, c->ret);
	heap->ev.msg.has_ret = 1;
	c->phase = 1;
	heap->loop.match = GEN_NO_SELECTOR;
	if (cfg->nselectors == 0) {
		gen_count(hook_id, GEN_CNT_MATCHED);
		heap->ev.msg.action = GEN_ACTION_POST;
		gen_post(&heap->ev, hook_id);
		return;
	}
	bpf_loop(cfg->nselectors % (GEN_MAX_SELECTORS + 1), gen_selector_step, c, 0);
	if (heap->loop.match == GEN_NO_SELECTOR)
		return;
	gen_count(hook_id, GEN_CNT_MATCHED);
	if (gen_actions(heap, cfg, c, heap->loop.match))
		gen_post(&heap->ev, hook_id);
	else
		gen_count(hook_id, GEN_CNT_NOPOST);
}

/*
 * kprobes and uprobes alike: the hook id in the attach cookie, the arguments in the registers
 * of the x86_64 calling convention (rdi, rsi, rdx, rcx, r8, r9).
 */
static __always_inline void gen_probe_entry(struct pt_regs *ctx)
{
	struct gen_ctx c = {};

	c.hook_id = bpf_get_attach_cookie(ctx);
	c.id = c.hook_id;
	c.prog_ctx = ctx;
	c.raw[0] = PT_REGS_PARM1(ctx);
	c.raw[1] = PT_REGS_PARM2(ctx);
	c.raw[2] = PT_REGS_PARM3(ctx);
	c.raw[3] = PT_REGS_PARM4(ctx);
	c.raw[4] = PT_REGS_PARM5(ctx);
	c.raw[5] = BPF_CORE_READ(ctx, r9);
	gen_enter(&c);
}

static __always_inline void gen_probe_return(struct pt_regs *ctx, long ret)
{
	struct gen_ctx c = {};

	c.hook_id = bpf_get_attach_cookie(ctx);
	c.id = c.hook_id;
	c.prog_ctx = ctx;
	c.ret = ret;
	gen_exit(&c);
}
