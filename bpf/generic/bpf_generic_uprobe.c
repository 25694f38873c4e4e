// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy uprobes: entry and return programs attached per (hook, symbol)
 * (gen_probe_entry / gen_probe_return in generic.h).
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int BPF_KPROBE(generic_uprobe)
{
	gen_probe_entry(ctx);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(generic_uretprobe, long ret)
{
	gen_probe_return(ctx, ret);
	return 0;
}
