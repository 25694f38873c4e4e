/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --cgroup-rate: a cgroup that execs and exits faster than N per interval is throttled, its
 * exec and exit events dropped here, before they cost the ring buffer and the agent anything.
 * Unlike Tetragon's per-CPU counters, one counter per cgroup spans all CPUs, so the limit
 * means what it says on a cgroup whose processes run everywhere. User space reports the
 * start from cgroup_throttled and ends the throttling once the cgroup stays under the limit.
 */
#pragma once

#include "process.h"

#define THROTTLE_NAME_MAX 96

struct cgroup_rate_config {
	__u64 events; /* 0: off */
	__u64 interval_ns;
};

struct cgroup_rate_state {
	__u64 window_start;
	__u64 count;
	__u64 last_over; /* last time the window was over the limit */
	__u64 throttled; /* 64 bits: the atomic compare-and-swap below needs them */
};

/* A throttled cgroup, for user space to report (start) and to end (stop). */
struct cgroup_throttle {
	__u64 start_ns;
	char name[THROTTLE_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgroup_rate_config);
} cgroup_rate_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct cgroup_rate_state);
} cgroup_rate_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct cgroup_throttle);
} cgroup_throttled SEC(".maps");

/* Events dropped while their cgroup was throttled, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cgroup_rate_dropped SEC(".maps");

/* Counts one event of the task's cgroup; true when it must be dropped. */
static __always_inline bool cgroup_rate_drop(struct task_struct *task, __u64 cgid, __u64 now)
{
	__u32 zero = 0;
	struct cgroup_rate_config *cfg = bpf_map_lookup_elem(&cgroup_rate_config, &zero);
	struct cgroup_rate_state *st;
	__u64 *dropped;

	if (!cfg || !cfg->events)
		return false;
	st = bpf_map_lookup_elem(&cgroup_rate_map, &cgid);
	if (!st) {
		struct cgroup_rate_state fresh = { .window_start = now, .count = 1 };

		bpf_map_update_elem(&cgroup_rate_map, &cgid, &fresh, BPF_NOEXIST);
		return false;
	}
	if (now - st->window_start >= cfg->interval_ns) {
		st->window_start = now;
		st->count = 0;
	}
	if (__sync_fetch_and_add(&st->count, 1) + 1 > cfg->events) {
		st->last_over = now;
		/* Only the CPU that flips the flag records the start. */
		if (__sync_val_compare_and_swap(&st->throttled, 0, 1) == 0) {
			struct cgroup_throttle t = { .start_ns = now };

			bpf_probe_read_kernel_str(t.name, sizeof(t.name), task->cgroups->dfl_cgrp->kn->name);
			bpf_map_update_elem(&cgroup_throttled, &cgid, &t, BPF_ANY);
		}
	}
	if (!st->throttled)
		return false;
	dropped = bpf_map_lookup_elem(&cgroup_rate_dropped, &zero);
	if (dropped)
		*dropped += 1;
	return true;
}
