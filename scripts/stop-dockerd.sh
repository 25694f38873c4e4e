#!/usr/bin/env bash
# Stops a dockerd started by start-dockerd.sh (by its pid) and removes its directory.
# Usage: scripts/stop-dockerd.sh [ROOT]   (default /tmp/tetragon-dockerd)
set -uo pipefail
root=${1:-/tmp/tetragon-dockerd}
sock="$root/docker.sock"
if [ -S "$sock" ]; then
  ids=$(/usr/bin/docker -H "unix://$sock" ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && /usr/bin/docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1
fi
pid=$(cat "$root/dockerd.pid" 2>/dev/null || cat "$root/dockerd.launcher.pid" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
# Mounts left by a killed daemon would make the rm fail.
grep -o " $root/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
rm -rf "$root"
