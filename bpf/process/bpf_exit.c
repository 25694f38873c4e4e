// SPDX-License-Identifier: GPL-2.0
/* Process exit: reported once, when the last thread of the group exits. */
#include "rate.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tg_exit, struct task_struct *task)
{
	struct msg_exit m = {};

	/* signal->live was decremented before the tracepoint: 0 means the group is dead. */
	if (task->signal->live.counter != 0)
		return 0;
	m.common.op = MSG_OP_EXIT;
	m.common.size = sizeof(m);
	m.common.ktime = bpf_ktime_get_boot_ns();
	m.pid = task->tgid;
	m.tid = task->pid;
	m.exit_code = task->exit_code;
	m.cgroup_id = bpf_get_current_cgroup_id();
	if (tracking_binaries())
		bpf_map_delete_elem(&exec_binary_map, &m.pid);
	if (tracking_baselines())
		bpf_map_delete_elem(&exec_baseline_map, &m.pid);
	if (cgroup_rate_drop(task, m.cgroup_id, m.common.ktime))
		return 0;
	emit_event(&m, sizeof(m));
	return 0;
}
