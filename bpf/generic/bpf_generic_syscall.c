// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy kprobes on syscalls (syscall: true), through the raw syscall
 * tracepoints: one program for every policy, routed by syscall number to the hooks
 * configured in gen_routes / gen_hooks.
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static long sys_enter_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	__u32 nr = c->id;
	struct gen_route *r = bpf_map_lookup_elem(&gen_routes, &nr);

	if (!r || index >= GEN_ROUTE_HOOKS)
		return 1;
	c->hook_id = r->hooks[GEN_BOUND(index, GEN_ROUTE_HOOKS)];
	gen_enter(c);
	return 0;
}

static long sys_exit_step(__u32 index, void *arg)
{
	struct gen_ctx *c = arg;
	__u32 nr = c->id;
	struct gen_route *r = bpf_map_lookup_elem(&gen_routes, &nr);

	if (!r || index >= GEN_ROUTE_HOOKS)
		return 1;
	c->hook_id = r->hooks[GEN_BOUND(index, GEN_ROUTE_HOOKS)];
	gen_exit(c);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(generic_sys_enter, struct pt_regs *regs, long id)
{
	__u32 nr = id;
	struct gen_route *r = bpf_map_lookup_elem(&gen_routes, &nr);
	struct gen_ctx c = {};

	if (!r || !r->count)
		return 0;
	c.id = nr;
	c.prog_ctx = ctx;
	/* x86_64 syscall ABI: rdi, rsi, rdx, r10, r8, r9. */
	/* regs is BTF-typed: direct loads, no helper call per register. */
	c.raw[0] = regs->di;
	c.raw[1] = regs->si;
	c.raw[2] = regs->dx;
	c.raw[3] = regs->r10;
	c.raw[4] = regs->r8;
	c.raw[5] = regs->r9;
	bpf_loop(r->count % (GEN_ROUTE_HOOKS + 1), sys_enter_step, &c, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(generic_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 nr = regs->orig_ax; /* every syscall's exit pays this: a direct load, not a helper */
	struct gen_route *r = bpf_map_lookup_elem(&gen_routes, &nr);
	struct gen_ctx c = {};

	if (!r || !r->count)
		return 0;
	c.id = nr;
	c.prog_ctx = ctx;
	c.ret = ret;
	bpf_loop(r->count % (GEN_ROUTE_HOOKS + 1), sys_exit_step, &c, 0);
	return 0;
}
