// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy hooks that can refuse an operation (action Override): BPF LSM programs for
 * lsmhooks, fmod_ret programs for kprobes on security_* and error-injectable functions.
 * A trampoline program is bound to one kernel function at load, so the agent loads this
 * object once per hook: it sets the program's attach target, loads, writes the hook id in
 * tramp_hook, attaches. The hook returns 0 (the operation goes on) unless a selector's
 * Override matched: then it returns the policy's error, and the kernel returns it too.
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct tramp_config {
	__u32 hook_id;
	__u32 syscall; /* the function is a syscall entry: its one argument is struct pt_regs * */
};

/* This instance's hook (not shared: one per loaded object). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tramp_config);
} tramp_hook SEC(".maps");

static __always_inline int tramp_run(void *ctx)
{
	struct gen_ctx c = {};
	__u32 zero = 0;
	struct tramp_config *cfg = bpf_map_lookup_elem(&tramp_hook, &zero);
	struct gen_heap *heap;
	struct pt_regs *regs;
	int i, ret;

	if (!cfg || !cfg->hook_id)
		return 0;
	c.hook_id = cfg->hook_id;
	c.id = c.hook_id;
	c.prog_ctx = ctx;
	if (cfg->syscall) {
		/* __x64_sys_*(const struct pt_regs *): the user's syscall ABI, as at sys_enter. */
		if (bpf_get_func_arg(ctx, 0, (__u64 *)&regs) < 0)
			return 0;
		c.raw[0] = BPF_CORE_READ(regs, di);
		c.raw[1] = BPF_CORE_READ(regs, si);
		c.raw[2] = BPF_CORE_READ(regs, dx);
		c.raw[3] = BPF_CORE_READ(regs, r10);
		c.raw[4] = BPF_CORE_READ(regs, r8);
		c.raw[5] = BPF_CORE_READ(regs, r9);
	} else {
		/* The function's own arguments only: bpf_get_func_arg fails past the last one. */
		for (i = 0; i < GEN_MAX_ARGS; i++)
			if (bpf_get_func_arg(ctx, i, &c.raw[i]) < 0)
				break;
	}
	/* Reset before gen_enter, which returns early for a disabled hook: the heap outlives the call. */
	heap = gen_heap();
	if (!heap)
		return 0;
	heap->loop.override = 0;
	gen_enter(&c);
	if (!heap->loop.override)
		return 0;
	/* An LSM program may only return an errno (the verifier enforces [-4095, 0]). */
	ret = heap->loop.override_ret;
	if (ret > 0 || ret < -4095)
		return -1;
	return ret;
}

/* The targets in the section names are placeholders: the agent sets the real one. */
SEC("lsm/file_open")
int generic_lsm(void *ctx)
{
	return tramp_run(ctx);
}

SEC("fmod_ret/security_file_open")
int generic_fmodret(void *ctx)
{
	return tramp_run(ctx);
}
