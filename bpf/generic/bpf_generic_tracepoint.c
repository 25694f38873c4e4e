// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy tracepoints: one program attached once per hook, the hook id in the
 * attach cookie; field offsets and sizes (from the tracepoint's format) in gen_hooks.
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Reads field `index` into raw slot `index` (bpf_loop callback: one verification for all). */
static long tp_field_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	struct gen_hook *cfg = bpf_map_lookup_elem(&gen_hooks, &c->hook_id);
	const struct gen_arg *a;
	__u64 v = 0, i;
	__u32 loc = 0;

	if (!cfg || index >= GEN_MAX_ARGS)
		return 1;
	i = GEN_BOUND(index, GEN_MAX_ARGS);
	a = &cfg->args[i];
	if (a->type == GEN_TYPE_DATA_LOC) {
		/* __data_loc: low 16 bits offset from the record start, high 16 bits length. */
		bpf_probe_read_kernel(&loc, sizeof(loc), (void *)(c->id + a->tp_offset));
		v = c->id + (loc & 0xffff);
	} else {
		bpf_probe_read_kernel(&v, GEN_BOUND(a->tp_size, 9), (void *)(c->id + a->tp_offset));
	}
	c->raw[i] = v;
	return 0;
}

SEC("tracepoint")
int generic_tracepoint(void *ctx)
{
	struct gen_ctx c = {};
	struct gen_hook *cfg;

	c.hook_id = bpf_get_attach_cookie(ctx);
	cfg = bpf_map_lookup_elem(&gen_hooks, &c.hook_id);
	if (!cfg || !cfg->enabled)
		return 0;
	/* The record's address while reading fields; the event carries the hook id. */
	c.id = (__u64)ctx;
	bpf_loop(cfg->nargs > GEN_MAX_ARGS ? GEN_MAX_ARGS : cfg->nargs, tp_field_step, &c, 0);
	c.id = c.hook_id;
	c.prog_ctx = ctx;
	gen_enter(&c);
	return 0;
}
