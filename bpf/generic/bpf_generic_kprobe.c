// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy kprobes on kernel functions (syscall: false): entry and return programs
 * attached per hook, the hook id in the attach cookie. Arguments come from the
 * registers of the kernel's x86_64 calling convention: rdi, rsi, rdx, rcx, r8, r9.
 */
#include "generic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe")
int BPF_KPROBE(generic_kprobe)
{
	struct gen_ctx c = {};

	c.hook_id = bpf_get_attach_cookie(ctx);
	c.id = c.hook_id;
	c.raw[0] = PT_REGS_PARM1(ctx);
	c.raw[1] = PT_REGS_PARM2(ctx);
	c.raw[2] = PT_REGS_PARM3(ctx);
	c.raw[3] = PT_REGS_PARM4(ctx);
	c.raw[4] = PT_REGS_PARM5(ctx);
	c.raw[5] = BPF_CORE_READ(ctx, r9);
	gen_enter(&c);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(generic_kretprobe, long ret)
{
	struct gen_ctx c = {};

	c.hook_id = bpf_get_attach_cookie(ctx);
	c.id = c.hook_id;
	c.ret = ret;
	gen_exit(&c);
	return 0;
}
