// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy kprobes on kernel functions (syscall: false): entry and return programs
 * attached per hook (gen_probe_entry / gen_probe_return in generic.h).
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe")
int BPF_KPROBE(generic_kprobe)
{
	gen_probe_entry(ctx);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(generic_kretprobe, long ret)
{
	gen_probe_return(ctx, ret);
	return 0;
}
