// SPDX-License-Identifier: GPL-2.0
/* Process exec: who ran what, with which arguments, where, as whom. */
#include "task.h"
#include "rate.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct exec_heap {
	struct msg_exec msg;
	char data[DATA_MAX + ENV_MAX];
	__u16 starts[PATH_MAX_COMPONENTS];
	char forward[BINARY_MAX * 2];
	struct exec_binary binary;
	struct follow_key follow;
};

/*
 * The binary as "/usr/bin/x" in exec_binary_map, for the generic sensors' matchBinaries, with
 * the followChildren bits: those inherited at fork plus those of filters naming this binary.
 */
static __always_inline void store_binary(struct exec_heap *heap, __u32 tgid, __u32 count)
{
	__u32 len = join_path_forward(heap->data, heap->starts, count, heap->forward);
	struct exec_binary *old;
	__u64 *bits;

	heap->binary.len = len;
	heap->binary.follow = 0;
	bpf_probe_read_kernel(heap->binary.path, BINARY_MAX, heap->forward);
	/* Without a followChildren filter no bit is in use: exec skips both lookups. */
	if (tracking_follow()) {
		old = bpf_map_lookup_elem(&exec_binary_map, &tgid);
		if (old)
			heap->binary.follow = old->follow;
		/* A hash key: the path, then zeros (the scratch holds older, longer paths). */
		__builtin_memset(&heap->follow, 0, sizeof(heap->follow));
		bpf_probe_read_kernel_str(heap->follow.path, BINARY_MAX, heap->forward);
		bits = bpf_map_lookup_elem(&follow_binaries, &heap->follow);
		if (bits)
			heap->binary.follow |= *bits;
	}
	bpf_map_update_elem(&exec_binary_map, &tgid, &heap->binary, BPF_ANY);
}

/* Too large for the stack: one scratch event per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_heap);
} exec_heap_map SEC(".maps");

static __always_inline __u32 read_args(struct task_struct *task, char *data, __u32 *flags)
{
	struct mm_struct *mm = task->mm;
	unsigned long start = mm->arg_start;
	unsigned long end = mm->arg_end;
	__u64 len = end - start;

	if (end <= start)
		return 0;
	if (len > ARGS_MAX) {
		len = ARGS_MAX;
		*flags |= EXEC_TRUNC_ARGS;
	}
	if (bpf_probe_read_user(data, len & (ARGS_MAX * 2 - 1), (void *)start) < 0) {
		*flags |= EXEC_ERROR_ARGS;
		return 0;
	}
	return len;
}

/* The environment block, up to the configured bytes (0: not captured; at most ENV_MAX - 1), at data + off. */
static __always_inline __u32 read_env(struct task_struct *task, char *data, __u32 off, __u32 *flags)
{
	__u32 key = CONFIG_ENV_BYTES;
	__u64 *max = bpf_map_lookup_elem(&ringbuf_config, &key);
	struct mm_struct *mm = task->mm;
	unsigned long start = mm->env_start;
	unsigned long end = mm->env_end;
	__u64 len = end - start;

	if (!max || !*max || end <= start || off >= DATA_MAX)
		return 0;
	if (len > *max || len > ENV_MAX - 1) {
		len = *max < ENV_MAX - 1 ? *max : ENV_MAX - 1;
		*flags |= EXEC_TRUNC_ENV;
	}
	/* Both masks are no-ops the verifier needs: off < DATA_MAX, len < ENV_MAX. The barrier
	 * keeps clang from dropping the first one, which it knows is a no-op. */
	asm volatile("" : "+r"(off));
	if (bpf_probe_read_user(data + (off & (DATA_MAX - 1)), len & (ENV_MAX - 1), (void *)start) < 0)
		return 0;
	return len;
}

/* matchCapabilityChanges' baseline: the capabilities this exec left; the namespaces stay as inherited. */
static __always_inline void store_baseline(struct task_struct *task, __u32 tgid)
{
	struct exec_baseline *old = bpf_map_lookup_elem(&exec_baseline_map, &tgid);
	struct exec_baseline base = {};
	__u32 nspid;

	if (old)
		__builtin_memcpy(base.ns, old->ns, sizeof(base.ns));
	else
		read_namespaces(task, base.ns, &nspid);
	base.cap_effective = load_cap(&task->cred->cap_effective);
	bpf_map_update_elem(&exec_baseline_map, &tgid, &base, BPF_ANY);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tg_execve, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	struct exec_heap *heap = bpf_map_lookup_elem(&exec_heap_map, &zero);
	struct msg_exec *m;
	struct path pwd, root, binary;
	bool truncated = false, throttled;
	__u32 off, count = 0;
	__u64 size;

	if (!heap)
		return 0;
	m = &heap->msg;
	__builtin_memset(m, 0, sizeof(*m));
	m->common.ktime = bpf_ktime_get_boot_ns();
	m->cgroup_id = bpf_get_current_cgroup_id();
	/* A throttled cgroup's exec is not reported, but matchBinaries still learns the binary (and *Changes the baseline). */
	throttled = cgroup_rate_drop(task, m->cgroup_id, m->common.ktime);
	if (throttled && !tracking_binaries() && !tracking_baselines())
		return 0;
	root.dentry = task->fs->root.dentry;
	root.mnt = task->fs->root.mnt;
	off = 0;
	if (!throttled) {
		m->common.op = MSG_OP_EXECVE;
		m->pid = task->tgid;
		m->tid = task->pid;
		m->ppid = task->real_parent->tgid;
		m->parent_start_ns = task->real_parent->start_boottime;
		m->auid = read_auid(task);
		read_creds(task, &m->creds);
		read_namespaces(task, m->ns, &m->nspid);
		read_cgroup_names(task, m->cgroup_parent, m->cgroup_name);

		off = read_args(task, heap->data, &m->flags);
		m->args_len = off;

		pwd.dentry = task->fs->pwd.dentry;
		pwd.mnt = task->fs->pwd.mnt;
		m->cwd_len = read_task_path_components_at(&pwd, &root, heap->data, off, &truncated, NULL, NULL);
		if (truncated)
			m->flags |= EXEC_TRUNC_CWD;
		off += m->cwd_len;
	}

	truncated = false;
	binary.dentry = bprm->file->f_path.dentry;
	binary.mnt = bprm->file->f_path.mnt;
	m->binary_len = read_task_path_components_at(&binary, &root, heap->data, off, &truncated, heap->starts, &count);
	if (truncated)
		m->flags |= EXEC_TRUNC_BINARY;
	if (tracking_binaries())
		store_binary(heap, task->tgid, count);
	if (tracking_baselines())
		store_baseline(task, task->tgid);
	if (throttled)
		return 0;
	m->binary_ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	m->binary_nlink = BPF_CORE_READ(bprm, file, f_inode, i_nlink);
	/* Set by the capability LSM when the exec raised privileges; still there after commit_creds. */
	m->privileged = bprm->per_clear | (__u32)BPF_CORE_READ_BITFIELD(bprm, secureexec);
	off += m->binary_len;
	m->env_len = read_env(task, heap->data, off, &m->flags);
	off += m->env_len;

	size = sizeof(struct msg_exec) + (__u64)off;
	/* Keeps the bound visible to the verifier after clang's register games. */
	asm volatile("" : "+r"(size));
	if (size > sizeof(struct exec_heap))
		return 0;
	m->common.size = size;
	emit_event(heap, size);
	return 0;
}
