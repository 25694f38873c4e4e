#!/usr/bin/env bash
# End-to-end suite against a real (private) dockerd: builds the sidecar image from the project's
# Dockerfile, runs the agent with the production `docker run` line, starts labelled workload
# containers and asserts through `docker exec tetragon tetra getevents -o json` and `docker logs tetragon`.
# Prints "N passed, M failed" last; exits non-zero on any failure; removes everything it made.
# Env: E2E_KEEP=1 keeps the work dir.
set -uo pipefail
export DOCKER_BUILDKIT=0
repo=$(cd "$(dirname "$0")/.." && pwd)
suite_start=$(date +%s.%N)
work=$(mktemp -d /tmp/tetragon-e2e.XXXXXX)
droot="$work/dockerd"
image=tetragon-docker:e2e
base=tetragon-docker/local-base:e2e
passed=0
failed=0
bg_pids=()

log() { echo "docker-e2e: $*" >&2; }
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

cleanup() {
  local rc=$?
  for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null; done
  # (only while dockerd runs: its socket-activated socket would make `docker logs` wait for it)
  if [ -n "${DOCKER_HOST:-}" ] && [ -S "$droot/docker.sock" ] && kill -0 "$(cat "$droot/dockerd.pid" 2>/dev/null)" 2>/dev/null; then
    if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
      log "last agent log lines:"; timeout 20 /usr/bin/docker logs tetragon 2>&1 | grep -v '^{' | tail -n 20 >&2
    fi
  fi
  "$repo/scripts/stop-dockerd.sh" "$droot" >/dev/null 2>&1
  [ "${E2E_KEEP:-0}" = 1 ] && log "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

docker() { /usr/bin/docker "$@"; }

# Waits up to $1 seconds for the command to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline; deadline=$(($(date +%s) + seconds))
  until "$@"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ---- dockerd ----
export DOCKER_HOST
DOCKER_HOST=$("$repo/scripts/start-dockerd.sh" "$droot") || { fail "private dockerd starts"; echo "$passed passed, $failed failed"; exit 1; }
log "dockerd at $DOCKER_HOST"

# ---- build: on the host (no network inside docker builds here), then the Dockerfile's runtime-prebuilt target ----
ctx="$work/context"
mkdir -p "$ctx/out/bpf" "$ctx/scripts"
build_start=$(date +%s)
# scripts/build.sh is incremental: after test.sh's own build it only checks that out/ is current.
if ! "$repo/scripts/build.sh" >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2; fail "scripts/build.sh"; echo "$passed passed, $failed failed"; exit 1
fi
# The image takes the native programs and BPF objects; debug symbols stay on the host.
cp -a "$repo/out/bpf/." "$ctx/out/bpf/"
cp "$repo/out/tetragon" "$repo/out/tetra" "$repo/out/tetragon-export-stdout" "$ctx/out/"
cp "$repo/scripts/docker-entrypoint.sh" "$ctx/scripts/"
"$repo/scripts/local-base-image.sh" "$base" >/dev/null || { fail "local base image"; echo "$passed passed, $failed failed"; exit 1; }
if docker build -q -f "$repo/Dockerfile" --target runtime-prebuilt --build-arg "RUNTIME_IMAGE=$base" -t "$image" "$ctx" >"$work/docker-build.log" 2>&1; then
  pass "image builds from the Dockerfile (target runtime-prebuilt, $(($(date +%s) - build_start)) s incl. publish)"
else
  cat "$work/docker-build.log" >&2; fail "image builds from the Dockerfile"; echo "$passed passed, $failed failed"; exit 1
fi
image_size=$(docker image inspect -f '{{.Size}}' "$image")

# ---- the agent, with the production run line (this dockerd has no bridge: --network none) ----
run_start=$(date +%s.%N)
docker run -d --name tetragon --pull never --network none \
  --privileged --pid=host -v /sys/kernel:/sys/kernel -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
  -v "$droot/docker.sock:/var/run/docker.sock:ro" "$image" >/dev/null \
  || { fail "agent container starts"; echo "$passed passed, $failed failed"; exit 1; }

# (grep -c, not -q: with pipefail an early-exiting grep fails the pipeline through SIGPIPE)
first_event() { docker logs tetragon 2>/dev/null | grep -c '^{' >/dev/null; }
poke_host() { /bin/true; first_event; }
if wait_for 60 poke_host; then
  first_event_s=$(echo "$(date +%s.%N) - $run_start" | bc)
  pass "first event on the container's stdout"
else
  fail "first event on the container's stdout"
  log "agent container: $(docker inspect -f '{{.State.Status}} exit={{.State.ExitCode}}' tetragon)"
  docker logs tetragon 2>&1 | tail -n 20 >&2
  echo "$passed passed, $failed failed"
  exit 1
fi
agent_ready() { docker exec tetragon tetra status >/dev/null 2>&1; }
check "tetra status inside the container reports healthy" wait_for 30 agent_ready
check "docker connection logged" wait_for 10 sh -c "/usr/bin/docker logs tetragon 2>&1 | grep -q 'docker: connected to unix:///var/run/docker.sock'"

# ---- a live event stream through the CLI inside the container ----
docker exec tetragon tetra getevents -o json >"$work/getevents.json" 2>"$work/getevents.err" &
bg_pids+=($!)
stream_up() { docker exec tetragon true >/dev/null 2>&1; /bin/true; [ -s "$work/getevents.json" ]; }
wait_for 20 stream_up || log "getevents produced nothing yet"

# ---- workloads ----
docker run -d --name e2e-web --pull never --network none --label app=web --label e2e.tier=front "$base" \
  sh -c 'while :; do sleep 1; done' >/dev/null
web_id=$(docker inspect -f '{{.Id}}' e2e-web)
docker exec e2e-web sh -c 'true e2e-exec-marker' >/dev/null
docker run --name e2e-priv --pull never --network none --privileged "$base" sh -c 'true e2e-priv-marker; sleep 1' >/dev/null 2>&1
docker run --name e2e-exit --pull never --network none --label app=exit "$base" sh -c 'exit 3' >/dev/null 2>&1
marker="e2e-host-$$-$RANDOM"
/bin/sh -c "true $marker"
docker restart -t 1 e2e-web >/dev/null
docker exec e2e-web sh -c 'true e2e-restart-marker' >/dev/null

# jq selectors over one JSON event per line
exec_in_web='select((.process_exec.process.arguments // "" | contains("e2e-exec-marker")) and .process_exec.process.container.name == "e2e-web")'
web_meta='.process_exec.process | (.container.image.name == "'"$base"'") and (.container.labels.app == "web") and (.container.labels["e2e.tier"] == "front") and (.container.id == "'"$web_id"'") and (.docker == "'"${web_id:0:31}"'")'
exit_of='select(.process_exit.process.container.name == "e2e-exit" and (.process_exit.status == 3 or .process_exit.status == 768))'
restarted='select((.process_exec.process.arguments // "" | contains("e2e-restart-marker")) and .process_exec.process.container.name == "e2e-web")'
host_exec='select(.process_exec.process.arguments != null and (.process_exec.process.arguments | contains("'"$marker"'")))'
priv_exec='select((.process_exec.process.arguments // "" | contains("e2e-priv-marker")) and .process_exec.process.container.name == "e2e-priv")'
web_init='select(.process_exec.process.container.name == "e2e-web" and (.process_exec.process.arguments // "" | contains("while :")))'
web_sleep='select(.process_exec.process.container.name == "e2e-web" and .process_exec.process.arguments == "1")' # its `sleep 1`s

has() { jq -c "$2" "$1" 2>/dev/null | grep -c . >/dev/null; }
all_true() { [ "$(jq -c "$2 | $3" "$1" 2>/dev/null | sort -u)" = "true" ]; }
no_container() { [ "$(jq -c "$2 | .process_exec.process | has(\"container\") or has(\"docker\")" "$1" 2>/dev/null | sort -u)" = "false" ]; }

for source in getevents logs; do
  file="$work/$source.json"
  if [ "$source" = logs ]; then
    collect() { docker logs tetragon 2>/dev/null | grep '^{' >"$work/logs.json"; has "$work/logs.json" "$restarted"; }
  else
    collect() { has "$work/getevents.json" "$restarted"; }
  fi
  wait_for 20 collect
  check "[$source] exec in a container carries its name" has "$file" "$exec_in_web"
  check "[$source] ... and its image, id, docker prefix and labels" all_true "$file" "$exec_in_web" "$web_meta"
  check "[$source] a container's exit (status 3) is attributed" has "$file" "$exit_of"
  check "[$source] a restarted container (new cgroup id) is still attributed" has "$file" "$restarted"
  check "[$source] a host process has no container" has "$file" "$host_exec"
  check "[$source] ... and no container fields at all" no_container "$file" "$host_exec"
  check "[$source] the container's entrypoint is its pid 1 (container.pid) and in its init tree" \
    all_true "$file" "$web_init" '.process_exec.process.container.pid == 1 and .process_exec.process.in_init_tree == true'
  check "[$source] ... its children too, each with its own pid in the container" \
    all_true "$file" "$web_sleep" '.process_exec.process.in_init_tree == true and .process_exec.process.container.pid > 1'
  check "[$source] a docker exec'd process is not in the init tree (in_init_tree false)" \
    all_true "$file" "$exec_in_web" '.process_exec.process.in_init_tree == false'
  check "[$source] a --privileged container's process carries security_context.privileged" \
    all_true "$file" "$priv_exec" '.process_exec.process.container.security_context.privileged == true'
  check "[$source] ... and an ordinary container's does not" \
    all_true "$file" "$exec_in_web" '.process_exec.process.container | has("security_context") | not'
done

dup_lines=$(sort "$work/logs.json" | uniq -d | wc -l)
check "docker logs: no event line twice" test "$dup_lines" -eq 0

# filters: tetra getevents --container
docker exec tetragon tetra getevents -o compact --container '^e2e-web$' >"$work/compact.txt" 2>&1 &
bg_pids+=($!)
sleep_exec() { docker exec e2e-web uname -s >/dev/null; grep -q 'e2e-web' "$work/compact.txt"; }
check "tetra getevents -o compact --container shows the container name" wait_for 20 sleep_exec

# ---- TracingPolicy through `docker cp` + `docker exec tetragon tetra tracingpolicy ...` ----
# policies/sys-mkdir-kill.yaml with a prefix no other process on this host uses.
forbidden="/forbidden-e2e-$$-$RANDOM-"
sed "s#\"/forbidden/\"#\"$forbidden\"#" "$repo/policies/sys-mkdir-kill.yaml" >"$work/policy.yaml"
docker cp "$work/policy.yaml" tetragon:/tmp/policy.yaml
check "docker cp policy.yaml tetragon:/tmp works" docker exec tetragon test -s /tmp/policy.yaml
check "tetra tracingpolicy add /tmp/policy.yaml succeeds" \
  sh -c '/usr/bin/docker exec tetragon tetra tracingpolicy add /tmp/policy.yaml >&2'
docker exec tetragon tetra tracingpolicy list >"$work/tp-list.txt" 2>&1
policy_state() { awk -v n="$1" '$2 == n { print $3 }' "$2"; }
check "tetra tracingpolicy list shows sys-mkdir-kill enabled" test "$(policy_state sys-mkdir-kill "$work/tp-list.txt")" = enabled
# A shell as the container's PID 1 runs mkdir, so mkdir's own status comes back as the container's exit
# code; the sleep keeps the container (its cgroup) alive while its events are attributed.
mkdir_in() { # NAME PATH -> the container's exit code
  docker run --name "$1" --pull never --network none --label app=mkdir "$base" \
    sh -c "mkdir '$2'; s=\$?; sleep 2; exit \$s" >/dev/null 2>&1
  echo $?
}
check "a mkdir outside the policy's prefix passes (exit 0)" test "$(mkdir_in e2e-mkdir-ok "/allowed-e2e-$$")" = 0
check "a forbidden mkdir in a container is killed (exit 137)" test "$(mkdir_in e2e-mkdir-kill "${forbidden}x")" = 137
kill_of='select(.process_kprobe.process.container.name == "e2e-mkdir-kill" and .process_kprobe.policy_name == "sys-mkdir-kill" and .process_kprobe.action == "KPROBE_ACTION_SIGKILL" and ([.process_kprobe.args[]?.string_arg] | index("'"${forbidden}x"'") != null))'
allowed_kprobe='select(.process_kprobe.process.container.name == "e2e-mkdir-ok")'
collect_logs() { docker logs tetragon 2>/dev/null | grep '^{' >"$work/logs.json"; }
kill_in_logs() { collect_logs; has "$work/logs.json" "$kill_of"; }
check "[getevents] the kill is a process_kprobe event (Sigkill, policy, path) carrying the container name" \
  wait_for 20 has "$work/getevents.json" "$kill_of"
check "[logs] the kill is a process_kprobe event (Sigkill, policy, path) carrying the container name" wait_for 20 kill_in_logs
check "[getevents] the allowed mkdir made no process_kprobe event" sh -c "! jq -c '$allowed_kprobe' '$work/getevents.json' 2>/dev/null | grep -q ."
check "tetra tracingpolicy delete sys-mkdir-kill succeeds" \
  sh -c '/usr/bin/docker exec tetragon tetra tracingpolicy delete sys-mkdir-kill >&2'
docker exec tetragon tetra tracingpolicy list >"$work/tp-list.txt" 2>&1
check "... tetra tracingpolicy list no longer shows it" test -z "$(policy_state sys-mkdir-kill "$work/tp-list.txt")"
check "... and the same mkdir now succeeds (exit 0)" test "$(mkdir_in e2e-mkdir-after "${forbidden}x")" = 0
# A broken policy: rejected with the field's path, nothing loaded, the agent healthy.
cat >"$work/broken.yaml" <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "e2e-broken"
spec:
  kprobes:
  - call: "sys_mkdir"
    syscall: true
    args:
    - index: 0
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefx"
        values: ["/x"]
YAML
docker cp "$work/broken.yaml" tetragon:/tmp/broken.yaml
docker exec tetragon tetra tracingpolicy add /tmp/broken.yaml >"$work/broken.out" 2>&1
broken_rc=$?
log "broken policy: rc=$broken_rc: $(head -c 300 "$work/broken.out")"
check "a broken policy is rejected (tetra exits non-zero)" test "$broken_rc" -ne 0
check "... with the field path spec.kprobes[0].selectors[0].matchArgs[0].operator" \
  grep -qF 'spec.kprobes[0].selectors[0].matchArgs[0].operator' "$work/broken.out"
docker exec tetragon tetra tracingpolicy list >"$work/tp-list.txt" 2>&1
check "... nothing of it is loaded" test -z "$(policy_state e2e-broken "$work/tp-list.txt")"
check "... and the agent stays healthy (tetra status)" sh -c '/usr/bin/docker exec tetragon tetra status >/dev/null'

# ---- policies scoped to containers: podSelector (the container's labels), containerSelector (its name) ----
scoped="/tmp/e2e-scoped-$$-$RANDOM-"
sed "s#\"/forbidden/\"#\"$scoped\"#" "$repo/policies/container-mkdir-kill.yaml" >"$work/scoped.yaml"
# The kprobes of a policy that kills a mkdir (or mkdirat) under the prefix $1.
mkdir_kill_kprobes() {
  for call in "sys_mkdir 0" "sys_mkdirat 1"; do
    set -- "$1" $call
    cat <<YAML
  - call: "$2"
    syscall: true
    args:
    - index: $3
      type: "string"
    selectors:
    - matchArgs:
      - index: $3
        operator: "Prefix"
        values: ["$1"]
      matchActions:
      - action: Sigkill
YAML
  done
}
cat >"$work/named.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "e2e-named-kill"
spec:
  containerSelector:
    matchExpressions:
    - key: name
      operator: In
      values: ["e2e-named-yes"]
  kprobes:
$(mkdir_kill_kprobes "${scoped}named")
YAML
docker cp "$work/scoped.yaml" tetragon:/tmp/scoped.yaml
docker cp "$work/named.yaml" tetragon:/tmp/named.yaml
check "[scoped] tetra tracingpolicy add of a podSelector policy succeeds" \
  sh -c '/usr/bin/docker exec tetragon tetra tracingpolicy add /tmp/scoped.yaml >&2'
check "[scoped] ... and of a containerSelector policy" \
  sh -c '/usr/bin/docker exec tetragon tetra tracingpolicy add /tmp/named.yaml >&2'
# The container waits a second before its mkdir: the agent learns a new container's cgroup from
# Docker's start event, a moment after its first process runs.
labelled_mkdir() { # NAME KEY=VALUE PATH -> the container's exit code
  docker run --name "$1" --pull never --network none --label "$2" "$base" \
    sh -c "sleep 1; mkdir '$3'; s=\$?; sleep 1; exit \$s" >/dev/null 2>&1
  echo $?
}
scoped_mkdir() { labelled_mkdir "$1" "app=$2" "$3"; } # NAME APP PATH
check "[scoped] the forbidden mkdir in a container labelled app=guarded is killed (137)" \
  test "$(scoped_mkdir e2e-scoped-guarded guarded "${scoped}a")" = 137
check "[scoped] ... the same mkdir in a container labelled app=other passes (0)" \
  test "$(scoped_mkdir e2e-scoped-other other "${scoped}b")" = 0
host_scoped_rc=0; mkdir "${scoped}c" || host_scoped_rc=$?; rmdir "${scoped}c" 2>/dev/null
check "[scoped] ... and on the host passes (0)" test "$host_scoped_rc" = 0
check "[scoped] the containerSelector policy kills in the container named e2e-named-yes (137)" \
  test "$(scoped_mkdir e2e-named-yes other "${scoped}named1")" = 137
check "[scoped] ... not in e2e-named-no (0)" test "$(scoped_mkdir e2e-named-no other "${scoped}named2")" = 0
scoped_kill='select(.process_kprobe.process.container.name == "e2e-scoped-guarded" and .process_kprobe.policy_name == "container-mkdir-kill" and .process_kprobe.action == "KPROBE_ACTION_SIGKILL")'
scoped_other='select(.process_kprobe.policy_name == "container-mkdir-kill" and .process_kprobe.process.container.name != "e2e-scoped-guarded")'
check "[scoped] the kill is reported with the container's name" wait_for 20 has "$work/getevents.json" "$scoped_kill"
check "[scoped] ... and the policy reported nothing from elsewhere" sh -c "! jq -c '$scoped_other' '$work/getevents.json' 2>/dev/null | grep -q ."
docker exec tetragon tetra tracingpolicy delete container-mkdir-kill >/dev/null 2>&1
docker exec tetragon tetra tracingpolicy delete e2e-named-kill >/dev/null 2>&1
check "[scoped] after delete, the guarded container's mkdir passes (0)" \
  test "$(scoped_mkdir e2e-scoped-after guarded "${scoped}d")" = 0
docker rm -f e2e-scoped-guarded e2e-scoped-other e2e-named-yes e2e-named-no e2e-scoped-after >/dev/null 2>&1

# ---- a TracingPolicyNamespaced applies to its namespace: on Docker, the compose project ----
cat >"$work/namespaced.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: "e2e-ns-kill"
  namespace: "e2eproj"
spec:
  kprobes:
$(mkdir_kill_kprobes "${scoped}ns")
YAML
docker cp "$work/namespaced.yaml" tetragon:/tmp/namespaced.yaml
check "[namespaced] tetra tracingpolicy add of a TracingPolicyNamespaced succeeds" \
  sh -c '/usr/bin/docker exec tetragon tetra tracingpolicy add /tmp/namespaced.yaml >&2'
project_mkdir() { labelled_mkdir "$1" "com.docker.compose.project=$2" "$3"; } # NAME PROJECT PATH
check "[namespaced] the forbidden mkdir in a container of compose project e2eproj is killed (137)" \
  test "$(project_mkdir e2e-ns-in e2eproj "${scoped}ns1")" = 137
check "[namespaced] ... not in project otherproj (0)" test "$(project_mkdir e2e-ns-out otherproj "${scoped}ns2")" = 0
host_ns_rc=0; mkdir "${scoped}ns3" || host_ns_rc=$?; rmdir "${scoped}ns3" 2>/dev/null
check "[namespaced] ... nor on the host (0)" test "$host_ns_rc" = 0
docker exec tetragon tetra tracingpolicy delete e2e-ns-kill >/dev/null 2>&1
docker rm -f e2e-ns-in e2e-ns-out >/dev/null 2>&1

# ---- dockerd stopped and restarted mid-stream (issue 5) ----
# start-dockerd.sh runs dockerd like a systemd host does: --live-restore (containers, the agent among
# them, keep running while dockerd is down) and a socket-activated socket (same inode across restarts,
# so the agent's bind-mounted /var/run/docker.sock stays valid; connections wait while dockerd is down).
agent_pid=$(docker inspect -f '{{.State.Pid}}' tetragon)
export_file="/proc/$agent_pid/root/var/run/tetragon/tetragon.log"
connected_before=$(docker logs tetragon 2>&1 | grep -c 'docker: connected to')
dockerd_pid=$(cat "$droot/dockerd.pid")
lines_before=$(wc -l <"$export_file")
kill -TERM "$dockerd_pid"
dockerd_down() { ! kill -0 "$dockerd_pid" 2>/dev/null; }
check "dockerd stops (SIGTERM by its pid)" wait_for 30 dockerd_down
down_start=$(date +%s.%N)
check "... the agent keeps running while dockerd is down (live-restore)" kill -0 "$agent_pid"
# e2e-web's loop execs sleep every second: its metadata comes from the agent's cache meanwhile.
web_during_outage() {
  tail -n +"$((lines_before + 1))" "$export_file" 2>/dev/null \
    | jq -c 'select(.process_exec.process.container.name == "e2e-web")' 2>/dev/null | grep -c . >/dev/null
}
check "... and keeps attributing a running container's execs meanwhile (export file)" wait_for 10 web_during_outage
sleep 2
if restarted_host=$("$repo/scripts/start-dockerd.sh" "$droot"); then
  pass "dockerd restarts (down $(echo "$(date +%s.%N) - $down_start" | bc | xargs printf '%.1f') s)"
else
  fail "dockerd restarts"; echo "$passed passed, $failed failed"; exit 1
fi
restart_done=$(date +%s.%N)
check "... on the same socket" test "$restarted_host" = "$DOCKER_HOST"
check "... the agent container survived it (same pid, running)" \
  test "$(docker inspect -f '{{.State.Running}} {{.State.Pid}}' tetragon)" = "true $agent_pid"
docker run -d --name e2e-after --pull never --network none --label app=after --label e2e.phase=restart "$base" \
  sh -c 'while :; do sleep 1; done' >/dev/null
reconnected() { [ "$(docker logs tetragon 2>&1 | grep -c 'docker: connected to')" -gt "$connected_before" ]; }
if wait_for 60 reconnected; then
  pass "the agent reconnects to the restarted dockerd ($(echo "$(date +%s.%N) - $restart_done" | bc | xargs printf '%.1f') s after it answered)"
else
  fail "the agent reconnects to the restarted dockerd"
fi
check "... after logging the lost connection" sh -c "/usr/bin/docker logs tetragon 2>&1 | grep -q 'docker: lost\|docker: cannot reach'"
docker exec tetragon tetra getevents -o json >"$work/getevents2.json" 2>>"$work/getevents.err" &
bg_pids+=($!)
stream2_up() { /bin/true; [ -s "$work/getevents2.json" ]; }
wait_for 20 stream2_up || log "getevents (after the restart) produced nothing yet"
docker exec e2e-after sh -c 'true e2e-after-marker' >/dev/null
after_exec='select((.process_exec.process.arguments // "" | contains("e2e-after-marker")) and .process_exec.process.container.name == "e2e-after")'
after_meta='.process_exec.process | (.container.labels.app == "after") and (.container.labels["e2e.phase"] == "restart") and (.container.image.name == "'"$base"'")'
after_in_logs() { collect_logs; has "$work/logs.json" "$after_exec"; }
check "[getevents] after the dockerd restart, a new container's exec carries its name" wait_for 20 has "$work/getevents2.json" "$after_exec"
check "[getevents] ... and its labels and image" all_true "$work/getevents2.json" "$after_exec" "$after_meta"
check "[logs] after the dockerd restart, a new container's exec carries its name" wait_for 30 after_in_logs
check "[logs] ... and its labels and image" all_true "$work/logs.json" "$after_exec" "$after_meta"
dup_lines=$(sort "$work/logs.json" | uniq -d | wc -l)
check "docker logs across the dockerd restart: no event line twice" test "$dup_lines" -eq 0

healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' tetragon)" = healthy ]; }
check "HEALTHCHECK (tetra status) turns healthy" wait_for 40 healthy

# SIGTERM: the entrypoint forwards it, the agent detaches and exits 0
docker stop -t 20 tetragon >/dev/null
log "agent after docker stop: $(docker inspect -f '{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}}' tetragon)"
check "docker stop: the agent exits 0" test "$(docker inspect -f '{{.State.ExitCode}}' tetragon)" = 0
check "docker stop: the agent logged its shutdown" sh -c "/usr/bin/docker logs tetragon 2>&1 | grep -q 'programs detached'"

# ---- flags from a mounted tetragon.conf.d: policies added with tetra survive `docker restart` ----
mkdir -p "$work/conf.d"
echo true >"$work/conf.d/persist-grpc-policies"
echo /var/run/tetragon/from-conf-d/events.log >"$work/conf.d/export-filename"
docker run -d --name tetragon-persist --pull never --network none \
  --privileged --pid=host -v /sys/kernel:/sys/kernel -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
  -v "$droot/docker.sock:/var/run/docker.sock:ro" -v "$work/conf.d:/etc/tetragon/tetragon.conf.d:ro" "$image" >/dev/null
persist_ready() { docker exec tetragon-persist tetra status >/dev/null 2>&1; }
wait_for 60 persist_ready || log "the second agent is not ready"
persist_logs() { /bin/true; docker logs tetragon-persist 2>/dev/null | grep -c '^{' >/dev/null; }
check "[conf.d] the export file named in tetragon.conf.d is what docker logs follows" wait_for 20 persist_logs
check "[conf.d] ... and the agent writes it there" docker exec tetragon-persist test -s /var/run/tetragon/from-conf-d/events.log
docker cp "$work/policy.yaml" tetragon-persist:/tmp/policy.yaml
check "[conf.d] tetra tracingpolicy add in an agent with persist-grpc-policies from tetragon.conf.d" \
  sh -c '/usr/bin/docker exec tetragon-persist tetra tracingpolicy add /tmp/policy.yaml >&2'
docker restart -t 20 tetragon-persist >/dev/null
wait_for 60 persist_ready || log "the second agent is not ready after its restart"
docker exec tetragon-persist tetra tracingpolicy list >"$work/tp-list.txt" 2>&1
check "[conf.d] after docker restart the policy is back, enabled" test "$(policy_state sys-mkdir-kill "$work/tp-list.txt")" = enabled
check "[conf.d] ... and enforced again (exit 137)" test "$(mkdir_in e2e-mkdir-persist "${forbidden}y")" = 137
docker rm -f tetragon-persist >/dev/null

suite_s=$(echo "$(date +%s.%N) - $suite_start" | bc)
printf 'docker-e2e: docker run -> first event: %s s; image size: %s MB; suite: %.1f s\n' \
  "$first_event_s" "$((image_size / 1024 / 1024))" "$suite_s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
