#!/usr/bin/env bash
# End-to-end suite against a real (private) dockerd: builds the sidecar image from the project's
# Dockerfile, runs the agent with the production `docker run` line, starts labelled workload
# containers and asserts through `docker exec tetragon tetra getevents -o json` and `docker logs tetragon`.
# Prints "N passed, M failed" last; exits non-zero on any failure; removes everything it made.
# Env: E2E_ARTIFACTS (dotnet artifacts path, default /tmp/tetragon-e2e-artifacts), E2E_KEEP=1 keeps the work dir.
set -uo pipefail
export DOCKER_BUILDKIT=0
repo=$(cd "$(dirname "$0")/.." && pwd)
suite_start=$(date +%s.%N)
work=$(mktemp -d /tmp/tetragon-e2e.XXXXXX)
droot="$work/dockerd"
artifacts=${E2E_ARTIFACTS:-/tmp/tetragon-e2e-artifacts}
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
  if [ -n "${DOCKER_HOST:-}" ] && [ -S "$droot/docker.sock" ]; then
    if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
      log "last agent log lines:"; docker logs tetragon 2>&1 | grep -v '^{' | tail -n 20 >&2
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

# ---- build: host publish (no network inside docker builds here), then the Dockerfile's runtime-prebuilt target ----
ctx="$work/context"
mkdir -p "$ctx/out/bpf" "$ctx/scripts"
build_start=$(date +%s)
if ! make -s -C "$repo/bpf" OUT="$ctx/out/bpf" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2; fail "BPF objects build"; echo "$passed passed, $failed failed"; exit 1
fi
for project in Tetragon.Docker.Agent Tetragon.Docker.Cli Tetragon.Docker.ExportStdout; do
  if ! dotnet publish "$repo/src/$project" -c Release -r linux-x64 --self-contained -o "$ctx/out" \
      --artifacts-path "$artifacts" --nologo -v quiet >>"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2; fail "dotnet publish $project"; echo "$passed passed, $failed failed"; exit 1
  fi
done
rm -f "$ctx/out"/*.pdb
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
done

dup_lines=$(sort "$work/logs.json" | uniq -d | wc -l)
check "docker logs: no event line twice" test "$dup_lines" -eq 0

# filters: tetra getevents --container
docker exec tetragon tetra getevents -o compact --container '^e2e-web$' >"$work/compact.txt" 2>&1 &
bg_pids+=($!)
sleep_exec() { docker exec e2e-web uname -s >/dev/null; grep -q 'e2e-web' "$work/compact.txt"; }
check "tetra getevents -o compact --container shows the container name" wait_for 20 sleep_exec

# docker cp of a policy into the agent container
policy=$(ls "$repo"/policies/*.yaml 2>/dev/null | head -n 1)
if [ -n "$policy" ]; then
  docker cp "$policy" tetragon:/tmp/policy.yaml
  check "docker cp policy.yaml tetragon:/tmp works" docker exec tetragon test -s /tmp/policy.yaml
fi

healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' tetragon)" = healthy ]; }
check "HEALTHCHECK (tetra status) turns healthy" wait_for 40 healthy

# SIGTERM: the entrypoint forwards it, the agent detaches and exits 0
docker stop -t 20 tetragon >/dev/null
log "agent after docker stop: $(docker inspect -f '{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}}' tetragon)"
check "docker stop: the agent exits 0" test "$(docker inspect -f '{{.State.ExitCode}}' tetragon)" = 0
check "docker stop: the agent logged its shutdown" sh -c "/usr/bin/docker logs tetragon 2>&1 | grep -q 'programs detached'"

suite_s=$(echo "$(date +%s.%N) - $suite_start" | bc)
printf 'docker-e2e: docker run -> first event: %s s; image size: %s MB; suite: %.1f s\n' \
  "$first_event_s" "$((image_size / 1024 / 1024))" "$suite_s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
