// SPDX-License-Identifier: GPL-2.0
/* Process clone: a new thread group, so user space can parent its later exec. */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct msg_clone m = {};
	struct exec_binary *binary;
	struct upid upid;

	if (child->pid != child->tgid)
		return 0; /* a new thread, not a new process */
	m.common.op = MSG_OP_CLONE;
	m.common.size = sizeof(m);
	m.common.ktime = bpf_ktime_get_boot_ns();
	m.pid = child->tgid;
	m.ppid = parent->tgid;
	m.cgroup_id = bpf_get_current_cgroup_id();
	upid = read_upid(child);
	m.nspid = upid.nr;
	m.pidns = BPF_CORE_READ(upid.ns, ns.inum);
	/* The child runs the parent's binary until it execs. */
	if (tracking_binaries()) {
		binary = bpf_map_lookup_elem(&exec_binary_map, &m.ppid);
		if (binary)
			bpf_map_update_elem(&exec_binary_map, &m.pid, binary, BPF_ANY);
	}
	if (tracking_baselines()) {
		struct exec_baseline *base = bpf_map_lookup_elem(&exec_baseline_map, &m.ppid);

		if (base)
			bpf_map_update_elem(&exec_baseline_map, &m.pid, base, BPF_ANY);
	}
	emit_event(&m, sizeof(m));
	return 0;
}
