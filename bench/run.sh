#!/usr/bin/env bash
# Benchmarks, each measured against a baseline in the same run; the last line is the summary.
#   bench/run.sh exec-storm [N]   fork+exec of /bin/true N times, without and with the agent
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/tetragon-bench.XXXXXX)
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

[ -x out/tetragon ] || scripts/build.sh
command -v cc >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc >/dev/null; }
cc -O2 -o "$work/execstorm" bench/execstorm.c

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_agent() {
  out/tetragon --bpf-lib "$root/out/bpf" --export-filename "$work/tetragon.log" --export-file-max-size-mb 4096 \
    --server-socket "$work/tetragon.sock" --server-address "" --enable-docker=false 2>"$work/agent.err" &
  agent_pid=$!
  local t0=$(date +%s%N)
  for _ in $(seq 300); do
    out/tetra --server-address "unix://$work/tetragon.sock" status >/dev/null 2>&1 && break
    sleep 0.05
  done
  startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

stop_agent() {
  kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Peers users would pick instead, each measured in the same run (PEERS=none skips them).
start_auditd() {
  command -v auditd >/dev/null || return 1
  auditd -s nochange 2>/dev/null || return 1
  sleep 0.5
  auditctl -a always,exit -F arch=b64 -S execve -k tetragon-bench >/dev/null || return 1
}
stop_auditd() {
  auditctl -D >/dev/null 2>&1 || true
  pkill -TERM -x auditd 2>/dev/null || true
  sleep 0.5
}
start_bpftrace() {
  local tool
  tool=$(command -v execsnoop.bt || ls /usr/sbin/execsnoop.bt 2>/dev/null) || return 1
  bpftrace "$tool" >"$work/bpftrace.out" 2>&1 &
  bpftrace_pid=$!
  for _ in $(seq 200); do grep -q PID "$work/bpftrace.out" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
stop_bpftrace() { kill -INT "$bpftrace_pid" 2>/dev/null; wait "$bpftrace_pid" 2>/dev/null || true; }

install_peers() {
  [ "${PEERS:-all}" = none ] && return 0
  command -v auditd >/dev/null && command -v bpftrace >/dev/null && return 0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends auditd bpftrace >/dev/null 2>&1 || true
}

exec_storm() {
  local n=${1:-5000} rounds=${ROUNDS:-3}
  install_peers
  "$work/execstorm" 200 >/dev/null # warm the page cache
  : >"$work/none"; : >"$work/agent"; : >"$work/auditd"; : >"$work/bpftrace"
  start_agent
  sleep 1
  idle_rss=$(rss_kb "$agent_pid")
  stop_agent
  : >"$work/tetragon.log"
  for r in $(seq "$rounds"); do
    "$work/execstorm" "$n" >>"$work/none"
    start_agent
    sleep 0.5
    "$work/execstorm" "$n" >>"$work/agent"
    sleep 1 # let the tail of the storm reach the export
    storm_rss=$(rss_kb "$agent_pid")
    lost=$(out/tetra --server-address "unix://$work/tetragon.sock" status 2>/dev/null | awk '/tetragon_bpf_missed_events_total/ {print $NF}')
    stop_agent
    if [ "${PEERS:-all}" != none ]; then
      if start_auditd; then "$work/execstorm" "$n" >>"$work/auditd"; fi
      stop_auditd
      if start_bpftrace; then "$work/execstorm" "$n" >>"$work/bpftrace"; fi
      stop_bpftrace
    fi
  done
  local none agent
  none=$(median <"$work/none"); agent=$(median <"$work/agent")
  ratio_of() { [ -s "$1" ] && awk -v a="$(median <"$1")" -v b="$none" 'BEGIN {printf "%.3f", a / b}' || echo n/a; }
  # The storm's execs of /bin/true: their parent is the storm program.
  delivered=$(grep -c '"process_exec".*"binary": "/usr/bin/true".*"parent": {[^}]*"binary": "[^"]*execstorm"' "$work/tetragon.log" || true)
  exits=$(grep -c '"process_exit".*"binary": "/usr/bin/true".*"parent": {[^}]*"binary": "[^"]*execstorm"' "$work/tetragon.log" || true)
  echo "exec-storm: none=$((none / n))ns agent=$((agent / n))ns per exec (median of $rounds rounds of $n), startup=${startup_ms}ms rss_idle=${idle_rss}kB rss_after_storm=${storm_rss}kB exits_delivered=$((exits / rounds))"
  echo "exec-storm: ratio=$(ratio_of "$work/agent") auditd=$(ratio_of "$work/auditd") bpftrace=$(ratio_of "$work/bpftrace") lost=${lost:-0} execs=$n delivered=$((delivered / rounds))"
}

case "${1:-}" in
  exec-storm) shift; exec_storm "$@" ;;
  *) echo "usage: bench/run.sh exec-storm [N]" >&2; exit 2 ;;
esac
