#!/bin/busybox sh
# PID 1 of the test VM (a stock Debian kernel under qemu): mounts what the agent needs, starts
# the real agent with the kprobe policies in /policies, drives real syscalls and checks the
# JSON export. Prints "VMTEST PASS <name>" / "VMTEST FAIL <name>: <why>" and "VMTEST DONE".
/bin/busybox --install -s /bin
export PATH=/bin:/opt/tetragon HOME=/root
mkdir -p /proc /sys /dev /tmp /run /var/run /root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
ulimit -l unlimited
ip link set lo up

pass() { echo "VMTEST PASS $1"; }
fail() { echo "VMTEST FAIL $1: $2"; }
check() { # name, then a command that must succeed
  name=$1; shift
  if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
# Waits up to $1 seconds for a line of the export holding every one of the words after it.
# grep filters the file (a shell loop over a growing export is too slow under emulation).
wait_event() {
  timeout=$1; shift
  echo "VMTEST waiting for: $*"
  i=0
  while [ "$i" -lt "$((timeout * 2))" ]; do
    grep -F -- "$1" /tmp/events.json >/tmp/match 2>/dev/null
    for word in "$@"; do grep -F -- "$word" /tmp/match >/tmp/match.next; mv /tmp/match.next /tmp/match; done
    [ -s /tmp/match ] && return 0
    sleep 0.5; i=$((i + 1))
  done
  return 1
}

echo "VMTEST kernel $(uname -r)"
[ -d /sys/bus/event_source/devices/kprobe ] && pass kernel-has-kprobes || fail kernel-has-kprobes "no kprobe PMU"

echo vmtest-secret > /etc/vmtest-secret
echo vmtest-other > /etc/vmtest-other
echo vmtest-denied > /etc/vmtest-denied
mkdir -p /tmp/forbidden /tmp/allowed /tmp/keep /tmp/nochdir
touch /tmp/keep/f /tmp/allowed/f

# A load_info argument after a nop placeholder (the module): on the first of the module loader's
# functions taking one as their second argument that this kernel has not inlined (Tetragon's own
# policy notes that find_module_sections may be; Debian 6.1 inlines it). Those of other files
# (sysfs.c, kallsyms.c) cannot be.
load_info_fn=$(for f in find_module_sections simplify_symbols post_relocation mod_sysfs_setup add_kallsyms layout_symtab; do
  grep -q " [tT] $f\$" /proc/kallsyms && echo "$f" && break; done)
echo "VMTEST load_info hook: ${load_info_fn:-none}"
cat >/policies/load-info.yaml <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: vm-load-info
spec:
  kprobes:
  - call: "${load_info_fn:-find_module_sections}"
    syscall: false
    args:
    - index: 0
      type: "nop"
    - index: 1
      type: "load_info"
EOF

tetragon --tracing-policy-dir /policies --export-filename /tmp/events.json --enable-ancestors base,lsm --enable-process-cred >/tmp/agent.log 2>&1 &
agent=$!
ready=0
for i in $(seq 1 300); do
  if tetra status >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$agent" 2>/dev/null || break
  sleep 1
done
if [ "$ready" != 1 ]; then
  fail agent-starts "no tetra status after ${i}s"
  sed 's/^/VMTEST agent: /' /tmp/agent.log | tail -40
  echo "VMTEST DONE"; poweroff -f
fi
pass agent-starts
echo "VMTEST agent ready after ${i}s"

list=$(timeout 100 tetra --timeout 90s tracingpolicy list 2>&1)
for p in vm-file-read vm-mkdir-kill vm-bprm-check vm-open-deny-lsm vm-unlink-override vm-tcp-connect vm-commit-creds vm-dentry-rmdir vm-socket-connect vm-skb-output \
  vm-bpf-objects vm-cap-capable vm-capset vm-module-netdev vm-kiocb-iov vm-load-info; do
  check "policy-loaded-$p" sh -c "echo \"\$0\" | grep -q '$p'" "$list"
done
grep -i -E "policy|error" /tmp/agent.log | grep -v docker | cut -c1-600 | sed 's/^/VMTEST agent: /'
# A program this kernel's verifier refused: the end of its log says why.
grep -B25 'END PROG LOAD LOG' /tmp/agent.log | grep -v '^[0-9]*: (' | tail -25 | cut -c1-300 | sed 's/^/VMTEST verifier: /'
sensors=$(timeout 100 tetra --timeout 90s sensors list 2>&1)
echo "$sensors" | sed 's/^/VMTEST sensors: /'
check sensors-kprobe-backend sh -c "echo \"\$0\" | grep -qF 'generic_kprobe enabled (vm-file-read) [kprobe,kretprobe]'" "$sensors"
check sensors-lsm-backend sh -c "echo \"\$0\" | grep -qF 'generic_lsm enabled (vm-open-deny-lsm) [lsm]'" "$sensors"
check sensors-fmodret-backend sh -c "echo \"\$0\" | grep -qF 'generic_kprobe enabled (vm-unlink-override) [fmod_ret]'" "$sensors"
check kprobes-registered sh -c 'grep -q security_file_permission /sys/kernel/debug/kprobes/list && grep -q security_path_mkdir /sys/kernel/debug/kprobes/list'

# A file argument, filtered in the kernel by prefix; the kretprobe's value comes along.
cat /etc/vmtest-other >/dev/null
cat /etc/vmtest-secret >/dev/null
check file-arg-event wait_event 60 security_file_permission '"/etc/vmtest-secret"' '"file_arg"' '"return"'
check kernel-stack-trace wait_event 30 security_file_permission '"/etc/vmtest-secret"' '"kernel_stack_trace"' '"symbol": "do_syscall_64"'
check user-stack-trace wait_event 30 security_file_permission '"/etc/vmtest-secret"' '"user_stack_trace": [ { "address": "'
check file-arg-binary wait_event 5 security_file_permission '"/etc/vmtest-secret"' '"binary": "/bin/busybox"'
# Both reads went through the same hook: only the matching one may reach user space. (Quoted
# words: a command line holding them shows up escaped in its process_exec, so never matches.)
check file-arg-filtered-in-kernel sh -c "! grep -F '\"file_arg\"' /tmp/events.json | grep -q -F '\"/etc/vmtest-other\"'"

# A cred argument: unshare -U -r commits credentials in a new user namespace (level 1).
mkdir -p /tmp/vmtest && cp /bin/busybox /tmp/vmtest/unshare
/tmp/vmtest/unshare -U -r /bin/busybox true
check cred-arg-event wait_event 30 commit_creds '"process_credentials_arg"' '"level": 1' '"CAP_SYS_ADMIN"'

# capability and user_namespace arguments: sethostname asks for CAP_SYS_ADMIN in the host's user namespace.
cp /bin/busybox /tmp/vmtest/hostname
/tmp/vmtest/hostname vmtest-host
check capability-arg-event wait_event 30 '"function_name": "cap_capable"' '"capability_arg": { "value": 21, "name": "CAP_SYS_ADMIN" }' '"user_ns_arg": { "level": 0' '"is_host": true'

# kernel_cap_t arguments, filtered by Mask: only the capset adding CAP_SYS_ADMIN to the inheritable set is reported.
setpriv --inh-caps +net_raw true
setpriv --inh-caps +sys_admin true
check kernel-cap-arg-event wait_event 30 '"function_name": "security_capset"' '"cap_inheritable_arg": "0000000000200000"' '"cap_effective_arg": "' '"cap_permitted_arg": "'
check kernel-cap-filtered-in-kernel sh -c "! grep -q -F '\"cap_inheritable_arg\": \"0000000000002000\"' /tmp/events.json"
# The exec event's own capability sets, loaded directly from this kernel's two-word kernel_cap_t:
# CAP_NET_RAW (13) from the low word, CAP_BPF (39) from the high one.
# (Matched as one run: the ancestors' sets, read from /proc, hold CAP_BPF too.)
check exec-cap-sets wait_event 30 '"process_exec"' '"CAP_BPF", "CAP_CHECKPOINT_RESTORE" ], "inheritable": [ "CAP_NET_RAW" ]'

# Exec paths through a bind mount of a subdirectory: a shallow one (the exec hook's direct loads
# meet the mount root) and one deeper than those loads go (its helper walk meets it).
mkdir -p /tmp/vm-src/inner/a/b/c/d/e/f/g/h/i/j /tmp/vm-bind
mount --bind /tmp/vm-src/inner /tmp/vm-bind
cp /bin/busybox /tmp/vm-bind/true && cp /bin/busybox /tmp/vm-bind/a/b/c/d/e/f/g/h/i/j/true
(cd /tmp/vm-bind/a && /tmp/vm-bind/true)
(cd /tmp/vm-bind/a/b/c/d/e/f/g/h/i/j && ./true)
check exec-path-bind-shallow wait_event 30 '"process_exec"' '"cwd": "/tmp/vm-bind/a"' '"binary": "/tmp/vm-bind/true"'
check exec-path-bind-deep wait_event 30 '"process_exec"' '"cwd": "/tmp/vm-bind/a/b/c/d/e/f/g/h/i/j"' '"binary": "/tmp/vm-bind/a/b/c/d/e/f/g/h/i/j/true"'

# A module argument (dummy.ko from this kernel's package), then net_device arguments filtered by name.
insmod /dummy.ko
check module-arg-event wait_event 30 '"function_name": "do_init_module"' '"module_arg": { "name": "dummy"'
# Debian signs its modules: the loader verified dummy.ko's signature before this hook.
check load-info-arg-event wait_event 30 "\"function_name\": \"$load_info_fn\"" '"args": [ { "module_arg": { "name": "dummy", "signature_ok": true } } ]'

# kiocb and iov_iter arguments: the file written and the bytes (base64 in JSON), filtered by path in the kernel.
echo vmtest-iov-payload > /tmp/vmtest-iov
echo vmtest-iov-other > /tmp/vmtest-iov-other
check kiocb-iov-arg-event wait_event 30 '"function_name": "generic_file_write_iter"' '"file_arg": { "path": "/tmp/vmtest-iov" }' '"bytes_arg": "dm10ZXN0LWlvdi1wYXlsb2FkCg=="'
check kiocb-filtered-in-kernel sh -c "! grep -F '\"function_name\": \"generic_file_write_iter\"' /tmp/events.json | grep -q -F 'vmtest-iov-other'"
ip link set dummy0 mtu 1400
ip link set lo mtu 65000
check net-device-arg-event wait_event 30 '"function_name": "dev_set_mtu_ext"' '"net_dev_arg": { "name": "lo" }' '"int_arg": 65000'
check net-device-filtered-in-kernel sh -c "! grep -q -F '\"net_dev_arg\": { \"name\": \"dummy0\" }' /tmp/events.json"

# A dentry argument, filtered by postfix: only the matching rmdir reaches user space.
# (Two rmdirs: a command line naming both would put the other's name in the event too.)
mkdir /tmp/vmtest-other /tmp/vmtest-dentry && rmdir /tmp/vmtest-other && rmdir /tmp/vmtest-dentry
check dentry-arg-event wait_event 30 security_inode_rmdir '"path_arg": { "path": "' 'vmtest-dentry" }'
check dentry-arg-filtered-in-kernel sh -c "! grep -F '\"function_name\": \"security_inode_rmdir\"' /tmp/events.json | grep -q -F 'vmtest-other\" }'"

# Sigkill from a kprobe, on a path argument.
sh -c 'mkdir /tmp/forbidden/x'
status=$?
check sigkill-kills-mkdir [ "$status" = 137 ]
check sigkill-event wait_event 30 security_path_mkdir '"/tmp/forbidden"' '"path_arg"' KPROBE_ACTION_SIGKILL
sh -c 'mkdir /tmp/allowed/y'
check other-mkdir-lives [ "$?" = 0 ]

# Tetragon's FollowFD example: fd_install posts FOLLOWFD, the write to the followed file is killed.
sh -c 'echo x > /tmp/vm-guarded'
status=$?
check followfd-write-killed [ "$status" = 137 ]
check followfd-event wait_event 30 '"function_name": "fd_install"' '"/tmp/vm-guarded"' KPROBE_ACTION_FOLLOWFD
sh -c 'echo y > /tmp/vm-unguarded'
check followfd-other-write-lives [ "$?" = 0 ]
# Its sys_close posts every close of busybox, which each later check's grep is: gone before them.
timeout 100 tetra --timeout 90s tracingpolicy delete vm-follow-fd >/dev/null 2>&1

# A linux_binprm argument: the file being executed.
cp /bin/busybox /tmp/vmtest-true
/tmp/vmtest-true >/dev/null 2>&1
check linux-binprm-event wait_event 30 security_bprm_check '"/tmp/vmtest-true"' '"linux_binprm_arg"'

# A sock argument: tcp_connect's socket, filtered in the kernel by destination port.
nc 127.0.0.1 8090 </dev/null >/dev/null 2>&1
nc 127.0.0.1 8089 </dev/null >/dev/null 2>&1
check sock-event wait_event 30 '"function_name": "tcp_connect"' '"sock_arg"' '"daddr": "127.0.0.1"' '"dport": 8089' '"protocol": "IPPROTO_TCP"' '"state": "TCP_SYN_SENT"'
check skb-event wait_event 30 '"function_name": "ip_output"' '"skb_arg"' '"daddr": "127.0.0.1"' '"dport": 8089' '"protocol": "IPPROTO_TCP"'
check skb-filtered-in-kernel sh -c "! grep -F '\"skb_arg\"' /tmp/events.json | grep -q -F '\"dport\": 8090'"
check socket-event wait_event 30 '"function_name": "security_socket_connect"' '"sock_arg"' '"family": "AF_INET"' '"type": "SOCK_STREAM"' '"protocol": "IPPROTO_TCP"'
check sock-filtered-in-kernel sh -c "! grep -F '\"sock_arg\"' /tmp/events.json | grep -q -F '\"dport\": 8090'"

# An lsmhook refuses the open in the kernel: the BPF LSM program returns -EACCES.
cat /etc/vmtest-denied >/tmp/denied.out 2>&1
status=$?
check lsm-override-denies-open sh -c "[ $status != 0 ] && grep -q 'Permission denied' /tmp/denied.out"
check lsm-other-open-allowed sh -c 'cat /etc/vmtest-secret >/dev/null'
check lsm-event wait_event 30 '"process_lsm"' '"function_name": "file_open"' '"/etc/vmtest-denied"' KPROBE_ACTION_OVERRIDE
# --enable-ancestors lsm: a cat two shells down lists the outer shell among its ancestors.
sh -c 'sh -c "cat /etc/vmtest-denied; true"' >/dev/null 2>&1
check lsm-event-ancestors wait_event 30 '"process_lsm"' '"/etc/vmtest-denied"' '"ancestors"'

# Override on a kernel function (fmod_ret): the unlink fails with EPERM, the file stays.
rm -f /tmp/keep/f 2>/tmp/unlink.out
status=$?
check fmodret-override-refuses-unlink sh -c "[ $status != 0 ] && [ -e /tmp/keep/f ] && grep -q 'Operation not permitted' /tmp/unlink.out"
rm -f /tmp/allowed/f
check fmodret-other-unlink-allowed [ ! -e /tmp/allowed/f ]
check fmodret-event wait_event 30 '"function_name": "security_path_unlink"' '"/tmp/keep"' KPROBE_ACTION_OVERRIDE

# policy-mode monitor: the trampolines report the refusal and let the call through; enforce again refuses.
timeout 100 tetra --timeout 90s tracingpolicy set-mode vm-open-deny-lsm monitor >/dev/null 2>&1
check lsm-monitor-mode-allows-open sh -c 'cat /etc/vmtest-denied >/dev/null'
timeout 100 tetra --timeout 90s tracingpolicy set-mode vm-unlink-override monitor >/dev/null 2>&1
touch /tmp/keep/m
rm -f /tmp/keep/m
check fmodret-monitor-mode-allows-unlink [ ! -e /tmp/keep/m ]
check fmodret-monitor-event sh -c 'for i in $(seq 30); do [ "$(grep -c "security_path_unlink" /tmp/events.json)" -ge 2 ] && exit 0; sleep 1; done; exit 1'
timeout 100 tetra --timeout 90s tracingpolicy set-mode vm-open-deny-lsm enforce >/dev/null 2>&1
check lsm-enforce-mode-denies-again sh -c '! cat /etc/vmtest-denied >/dev/null 2>&1'

# Override on a syscall: fmod_ret on __x64_sys_chdir, the arguments from the user's registers.
# fmod_ret reaches a syscall only through the error-injection list (CONFIG_FUNCTION_ERROR_INJECTION),
# which Debian leaves out: there the policy must be refused, saying why.
if grep -q '^__x64_sys_chdir' /sys/kernel/debug/error_injection/list 2>/dev/null; then
  sh -c 'cd /tmp/nochdir' 2>/dev/null
  check syscall-override-refuses-chdir [ "$?" != 0 ]
  check syscall-other-chdir-allowed sh -c 'cd /tmp/allowed'
  check syscall-override-event wait_event 30 '"function_name": "__x64_sys_chdir"' '"/tmp/nochdir"' KPROBE_ACTION_OVERRIDE
else
  check syscall-override-refused-naming-error-injection sh -c "grep 'vm-chdir-override' /tmp/agent.log | grep -q 'error-injection list'"
  check syscall-override-absent-chdir-allowed sh -c 'cd /tmp/nochdir'
fi

check agent-alive-after-enforcement kill -0 "$agent"
grep -E '"/tmp/keep"|vmtest-denied|nochdir' /tmp/events.json | grep -v process_exec | grep -v process_exit | head -3 | cut -c1-1500 | sed 's/^/VMTEST line: /'

# The example policies (policies/ in the repo): each loads on this stock kernel, or is refused
# with its reason; the kernel-function ones this agent supports must load.
for f in /examples/*.yaml; do
  name=$(sed -n 's/^  name: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$f" | head -1)
  if out=$(timeout 100 tetra --timeout 90s tracingpolicy add "$f" 2>&1); then
    echo "VMTEST example $(basename "$f"): loaded"
    echo "$(basename "$f")" >>/tmp/examples.loaded
    timeout 100 tetra --timeout 90s tracingpolicy delete "$name" >/dev/null 2>&1
  else
    echo "VMTEST example $(basename "$f"): refused: $(echo "$out" | tr '\n' ' ' | cut -c1-400)"
  fi
done
for f in file-monitoring-filtered.yaml file-monitoring-filtered-namespaced.yaml block-secret-files.yaml write-etc-binaries.yaml lsm-deny-shadow.yaml connect.yaml \
  monitor-bpf.yaml monitor-kernel-modules.yaml follow-fd-passwd.yaml; do
  check "example-loads-$f" grep -qx "$f" /tmp/examples.loaded
done

# bpf_attr and bpf_map arguments: the program and map the agent loaded for an LSM hook of the
# example policies (each LSM hook gets its own trampoline object).
check bpf-attr-arg-event wait_event 30 '"function_name": "bpf_check"' '"bpf_attr_arg": { "ProgType": "BPF_PROG_TYPE_LSM"' '"ProgName": "generic_lsm"' '"binary": "/opt/tetragon/tetragon"'
check bpf-map-arg-event wait_event 30 '"function_name": "security_bpf_map_alloc"' '"bpf_map_arg": { "MapType": "BPF_MAP_TYPE_ARRAY"' '"MapName": "tramp_hook"'
check bpf-prog-arg-event wait_event 30 '"function_name": "security_bpf_prog"' '"bpf_prog_arg": { "ProgType": "BPF_PROG_TYPE_LSM"' '"ProgName": "generic_lsm"' '"binary": "/opt/tetragon/tetragon"'
# Each kprobe the agent attaches is a perf event of the kprobe PMU, naming its function.
check perf-event-arg-event wait_event 30 '"function_name": "security_perf_event_alloc"' '"perf_event_arg": { "KprobeFunc": "security_file_permission", "Type": "' '"binary": "/opt/tetragon/tetragon"'
for kind in perf_event bpf_prog module bytes; do
  grep -o -E "\"${kind}_arg\": [^]]*" /tmp/events.json | sort -u | head -2 | cut -c1-300 | sed 's/^/VMTEST arg: /'
done

# A clean stop leaves no kprobe behind.
kill -TERM "$agent"
for i in $(seq 1 60); do kill -0 "$agent" 2>/dev/null || break; sleep 1; done
check agent-stops sh -c "! kill -0 $agent 2>/dev/null"
check stop-leaves-no-kprobe sh -c '! grep -q "security_" /sys/kernel/debug/kprobes/list'

grep -v docker /tmp/agent.log | tail -30 | cut -c1-600 | sed 's/^/VMTEST agent: /'
echo "VMTEST DONE"
poweroff -f
