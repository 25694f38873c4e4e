/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by every BPF object: the event header, opcodes and the ring buffer. */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Opcodes keep Tetragon's numbering (bpf/lib/msg_types.h upstream). */
#define MSG_OP_EXECVE 5
#define MSG_OP_EXIT 7
#define MSG_OP_GENERIC_KPROBE 13
#define MSG_OP_GENERIC_TRACEPOINT 14
#define MSG_OP_GENERIC_UPROBE 15
#define MSG_OP_CLONE 23

/* Every event starts with this header; the C# decoder mirrors it (MsgCommon). */
struct msg_common {
	__u8 op;
	__u8 flags;
	__u16 pad;
	__u32 size;
	__u64 ktime;
};

/* One ring buffer shared by all objects: the loader reuses the first object's fd. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* Reservation failures per CPU, by opcode (MSG_OP_* & LOST_OPS_MASK): tetragon_missed_events_total{msg_op}. */
#define LOST_OPS_MASK 31
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOST_OPS_MASK + 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/*
 * [0] = bytes waiting before the reader is woken; it also polls on a short timer.
 * [1] = bytes of the environment an exec event carries (--enable-process-environment-variables; 0: none).
 */
#define CONFIG_WAKEUP_BYTES 0
#define CONFIG_ENV_BYTES 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} ringbuf_config SEC(".maps");

static __always_inline void count_lost(__u8 op)
{
	__u32 key = op & LOST_OPS_MASK;
	__u64 *lost = bpf_map_lookup_elem(&lost_events, &key);

	if (lost)
		__sync_fetch_and_add(lost, 1);
}

/*
 * Per CPU: how often emit_event looks at the ring's fill level. Reading it every record cost
 * ~30 ns a record (bpf_ringbuf_query touches the consumer's cache line, written by the reader
 * on another CPU); every RINGBUF_PACE_RECORDS-th record is soon enough against a threshold
 * of 1/8 of the ring.
 */
#define RINGBUF_PACE_RECORDS 32

struct ringbuf_pace {
	__u32 records; /* posted since the last look */
	__u32 woke;    /* this CPU woke the reader at its last look: not again until the ring drains */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ringbuf_pace);
} ringbuf_pace SEC(".maps");

/*
 * Posts with batched wakeups (the reader also polls on a timer); < 0 when the ring was full
 * (counted). An idle reader (threshold 1) is woken by the kernel's own rule: the record it
 * has not caught up to yet. A busy one is woken once per CPU when the ring passes the
 * threshold: it drains everything before it sleeps again, and a wakeup per record while it
 * lags behind costs the producer a self-IPI each (a VM exit on a virtual machine).
 */
static __always_inline long emit_event(void *data, __u64 size)
{
	__u32 key = CONFIG_WAKEUP_BYTES, zero = 0;
	__u64 *wakeup_bytes = bpf_map_lookup_elem(&ringbuf_config, &key);
	struct ringbuf_pace *pace;
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (wakeup_bytes && *wakeup_bytes <= 1) {
		flags = 0;
	} else if (wakeup_bytes && (pace = bpf_map_lookup_elem(&ringbuf_pace, &zero))) {
		if (++pace->records >= RINGBUF_PACE_RECORDS) {
			__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

			pace->records = 0;
			if (avail + size < *wakeup_bytes) {
				pace->woke = 0;
			} else if (!pace->woke) {
				pace->woke = 1;
				flags = BPF_RB_FORCE_WAKEUP;
			}
		}
	}
	if (bpf_ringbuf_output(&events, data, size, flags) < 0) {
		count_lost(((struct msg_common *)data)->op);
		return -1;
	}
	return 0;
}
