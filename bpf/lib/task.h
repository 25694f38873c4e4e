/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a task's credentials, namespaces and paths with CO-RE. The programs run on
 * tp_btf, whose task pointers are BTF-typed: plain field loads compile to fault-safe
 * direct reads, a few ns each, where BPF_CORE_READ would call bpf_probe_read_kernel per
 * hop (~60 ns each here, and an exec event reads ~80 fields). Strings and pointers that
 * passed through our own structs still go through the helpers.
 */
#pragma once

#include "process.h"

/* kernfs_node before 6.15, for CO-RE. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* kernel_cap_t before 6.3, for CO-RE. */
struct kernel_cap_struct___old {
	__u32 cap[2];
} __attribute__((preserve_access_index));

/* A capability set behind a BTF-typed pointer: a direct load (8 bytes either layout). */
static __always_inline __u64 load_cap(const kernel_cap_t *cap)
{
	const struct kernel_cap_struct___old *old = (const void *)cap;

	if (bpf_core_field_exists(cap->val))
		return cap->val;
	return old->cap[0] | (__u64)old->cap[1] << 32;
}

static __always_inline __u64 read_cap(const kernel_cap_t *cap)
{
	/* 8 bytes whether the kernel has {u64 val} (>= 6.3) or {u32 cap[2]}. */
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), cap);
	return v;
}

static __always_inline void read_creds(struct task_struct *task, struct msg_creds *c)
{
	const struct cred *cred = task->cred;

	c->uid = cred->uid.val;
	c->gid = cred->gid.val;
	c->suid = cred->suid.val;
	c->sgid = cred->sgid.val;
	c->euid = cred->euid.val;
	c->egid = cred->egid.val;
	c->fsuid = cred->fsuid.val;
	c->fsgid = cred->fsgid.val;
	c->securebits = cred->securebits;
	c->cap_permitted = load_cap(&cred->cap_permitted);
	c->cap_effective = load_cap(&cred->cap_effective);
	c->cap_inheritable = load_cap(&cred->cap_inheritable);
}

static __always_inline __u32 read_auid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return task->loginuid.val;
	return (__u32)-1;
}

/* Names of the task's cgroup v2 directory and of its parent (kernfs node names). */
static __always_inline void read_cgroup_names(struct task_struct *task, char *parent, char *name)
{
	struct kernfs_node *kn = task->cgroups->dfl_cgrp->kn;
	struct kernfs_node *up;

	bpf_probe_read_kernel_str(name, CGROUP_NAME_MAX, kn->name);
	/* 6.15 renamed kernfs_node.parent to __parent. */
	if (bpf_core_field_exists(kn->__parent))
		up = kn->__parent;
	else
		up = ((struct kernfs_node___old *)kn)->parent;
	if (up)
		bpf_probe_read_kernel_str(parent, CGROUP_NAME_MAX, up->name);
}

/* The task's pid_namespace and its pid inside it: numbers[level] of its struct pid. */
static __always_inline struct upid read_upid(struct task_struct *task)
{
	struct upid upid = {};
	/* Also called with untyped task pointers (the generic sensors): helper reads. */
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);

	bpf_probe_read_kernel(&upid, sizeof(upid),
			      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
				      (level & 31) * bpf_core_type_size(struct upid));
	return upid;
}

static __always_inline void read_namespaces(struct task_struct *task, __u32 *ns, __u32 *nspid)
{
	struct nsproxy *nsp = task->nsproxy;
	struct upid upid = read_upid(task);

	*nspid = upid.nr;
	ns[NS_PID] = BPF_CORE_READ(upid.ns, ns.inum); /* upid came through the stack: untyped */
	ns[NS_USER] = task->cred->user_ns->ns.inum;
	if (!nsp)
		return;
	ns[NS_UTS] = nsp->uts_ns->ns.inum;
	ns[NS_IPC] = nsp->ipc_ns->ns.inum;
	ns[NS_MNT] = nsp->mnt_ns->ns.inum;
	ns[NS_PID_FOR_CHILDREN] = nsp->pid_ns_for_children->ns.inum;
	ns[NS_NET] = nsp->net_ns->ns.inum;
	if (bpf_core_field_exists(nsp->time_ns)) {
		ns[NS_TIME] = nsp->time_ns->ns.inum;
		ns[NS_TIME_FOR_CHILDREN] = nsp->time_ns_for_children->ns.inum;
	}
	ns[NS_CGROUP] = nsp->cgroup_ns->ns.inum;
}

struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	char *buf;
	__u16 *starts; /* optional: where each component starts in buf */
	__u32 off;
	__u32 count;
	bool done;
};

/* One component per call: bpf_loop keeps the verifier's work independent of depth. */
static long path_walk_step(__u32 index, void *arg)
{
	/* Copy to locals: CO-RE relocations must not apply to our own struct. */
	struct path_walk *w = arg;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	const unsigned char *name;
	long n;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt)
		goto done;
	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

		if (dentry != mnt_root || mnt == mnt_parent)
			goto done; /* the global root, or a detached tree */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = __builtin_preserve_access_index(&mnt_parent->mnt);
		return 0;
	}
	if (w->off > DATA_MAX - NAME_MAX_READ)
		return 1; /* buffer full: truncated */
	name = BPF_CORE_READ(dentry, d_name.name);
	n = bpf_probe_read_kernel_str(w->buf + (w->off & (DATA_MAX - 1)), NAME_MAX_READ, name);
	if (n <= 0)
		goto done;
	if (w->starts)
		w->starts[w->count & (PATH_MAX_COMPONENTS - 1)] = w->off;
	w->count++;
	w->off += n;
	w->dentry = parent;
	return 0;
done:
	w->done = true;
	return 1;
}

/* Runs the bpf_loop walk from w's state; returns the bytes written from off. */
static __always_inline __u32 path_walk_finish(struct path_walk *w, __u32 off, bool *truncated, __u32 *count)
{
	if (!w->done)
		bpf_loop(PATH_MAX_COMPONENTS, path_walk_step, w, 0);
	if (!w->done)
		*truncated = true;
	if (count)
		*count = w->count > PATH_MAX_COMPONENTS ? PATH_MAX_COMPONENTS : w->count;
	return w->off - off;
}

/*
 * Walks a path up to the task's root like d_path(), writing each component
 * (leaf first, NUL ended) at buf[off...]. User space reverses them. Returns the
 * bytes written; sets *truncated when the walk or the buffer ran out.
 */
static __always_inline __u32 read_path_components_at(const struct path *path, const struct path *root,
						     char *buf, __u32 off, bool *truncated, __u16 *starts,
						     __u32 *count)
{
	struct path_walk w = {
		.dentry = path->dentry,
		.vfsmnt = path->mnt,
		.root_dentry = root->dentry,
		.root_mnt = root->mnt,
		.buf = buf,
		.off = off,
	};

	w.starts = starts;
	w.mnt = (void *)w.vfsmnt - bpf_core_field_offset(struct mount, mnt);
	return path_walk_finish(&w, off, truncated, count);
}

/* Components read with direct loads before the bpf_loop walk takes over: most paths need no more. */
#define PATH_TYPED_STEPS 8

/*
 * read_path_components_at for a path whose pointers are BTF-typed (taken from a tp_btf
 * task or bprm): the first components up to a mount boundary cost one string read each
 * instead of four helper calls; the bpf_loop walk goes on from where this stops.
 */
static __always_inline __u32 read_task_path_components_at(const struct path *path, const struct path *root,
							  char *buf, __u32 off, bool *truncated,
							  __u16 *starts, __u32 *count)
{
	struct dentry *dentry = path->dentry;
	struct vfsmount *vfsmnt = path->mnt;
	struct path_walk w = {
		.vfsmnt = vfsmnt,
		.root_dentry = root->dentry,
		.root_mnt = root->mnt,
		.buf = buf,
		.starts = starts,
	};
	__u32 pos = off, n_comp = 0;
	long n;

	for (int i = 0; i < PATH_TYPED_STEPS; i++) {
		struct dentry *parent = dentry->d_parent;

		if (dentry == w.root_dentry && vfsmnt == w.root_mnt) {
			w.done = true;
			break;
		}
		/* A mount boundary or the global root: the helper walk knows those. */
		if (dentry == vfsmnt->mnt_root || dentry == parent || pos > DATA_MAX - NAME_MAX_READ)
			break;
		n = bpf_probe_read_kernel_str(buf + (pos & (DATA_MAX - 1)), NAME_MAX_READ, dentry->d_name.name);
		if (n <= 0) {
			w.done = true;
			break;
		}
		if (starts)
			starts[n_comp & (PATH_MAX_COMPONENTS - 1)] = pos;
		n_comp++;
		pos += n;
		dentry = parent;
	}
	w.dentry = dentry;
	w.mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	w.off = pos;
	w.count = n_comp;
	return path_walk_finish(&w, off, truncated, count);
}

struct path_forward {
	const char *src;      /* the components buffer */
	const __u16 *starts;  /* their start offsets, leaf first */
	char *dst;            /* BINARY_MAX * 2 bytes */
	__u32 count;
	__u32 pos;
};

/* Root-most component first: "/" then the name, overwriting the previous NUL. */
static long path_forward_step(__u32 index, void *arg)
{
	struct path_forward *f = arg;
	__u32 i = (f->count - 1 - index) & (PATH_MAX_COMPONENTS - 1);
	__u32 pos = f->pos;
	long n;

	if (pos >= BINARY_MAX - 2)
		return 1;
	f->dst[pos & (BINARY_MAX - 1)] = '/';
	pos++;
	n = bpf_probe_read_kernel_str(f->dst + (pos & (BINARY_MAX - 1)), BINARY_MAX - 1,
				      f->src + (f->starts[i] & (DATA_MAX - 1)));
	if (n <= 0)
		return 1;
	f->pos = pos + n - 1;
	return 0;
}

/*
 * Joins components written by read_path_components_at into "/a/b/c" at dst
 * (2 * BINARY_MAX bytes of room). Returns the length without the NUL, at most
 * BINARY_MAX - 1.
 */
static __always_inline __u32 join_path_forward(const char *src, const __u16 *starts, __u32 count, char *dst)
{
	struct path_forward f = { .src = src, .starts = starts, .dst = dst, .count = count };

	if (count == 0) {
		dst[0] = '/';
		dst[1] = 0;
		return 1;
	}
	bpf_loop(count, path_forward_step, &f, 0);
	if (f.pos > BINARY_MAX - 1)
		f.pos = BINARY_MAX - 1;
	dst[f.pos & (BINARY_MAX - 1)] = 0;
	return f.pos;
}
