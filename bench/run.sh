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

exec_storm() {
  local n=${1:-5000} rounds=${ROUNDS:-3}
  "$work/execstorm" 200 >/dev/null # warm the page cache
  : >"$work/none" ; : >"$work/agent"
  start_agent
  sleep 1
  idle_rss=$(rss_kb "$agent_pid")
  stop_agent
  for r in $(seq "$rounds"); do
    "$work/execstorm" "$n" >>"$work/none"
    start_agent
    sleep 0.5
    "$work/execstorm" "$n" >>"$work/agent"
    sleep 1 # let the tail of the storm reach the export
    storm_rss=$(rss_kb "$agent_pid")
    lost=$(out/tetra --server-address "unix://$work/tetragon.sock" status 2>/dev/null | awk '/tetragon_bpf_missed_events_total/ {print $NF}')
    stop_agent
  done
  local none agent
  none=$(median <"$work/none"); agent=$(median <"$work/agent")
  # Each round's storm: execs of /bin/true whose parent is the storm program.
  delivered=$(grep -c '"process_exec".*"binary": "/usr/bin/true".*"parent": {[^}]*"binary": "[^"]*execstorm"' "$work/tetragon.log" || true)
  exits=$(grep -c '"process_exit".*"binary": "/usr/bin/true"' "$work/tetragon.log" || true)
  echo "exec-storm: none=${none}ns agent=${agent}ns per $n execs (median of $rounds), startup=${startup_ms}ms rss_idle=${idle_rss}kB rss_after_storm=${storm_rss}kB exits=$((exits / rounds))"
  echo "exec-storm: ratio=$(awk -v a="$agent" -v b="$none" 'BEGIN {printf "%.3f", a / b}') lost=${lost:-0} execs=$n delivered=$((delivered / rounds))"
}

case "${1:-}" in
  exec-storm) shift; exec_storm "$@" ;;
  *) echo "usage: bench/run.sh exec-storm [N]" >&2; exit 2 ;;
esac
