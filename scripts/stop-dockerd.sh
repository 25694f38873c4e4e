#!/usr/bin/env bash
# Stops a dockerd started by start-dockerd.sh (by its pid), its socket holder, and whatever its
# containers left running (with --live-restore they outlive a dead dockerd), then removes its directory.
# Usage: scripts/stop-dockerd.sh [ROOT]   (default /tmp/tetragon-dockerd)
set -uo pipefail
root=${1:-/tmp/tetragon-dockerd}
sock="$root/docker.sock"

stop_pid() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

dockerd_pid=$(cat "$root/dockerd.pid" 2>/dev/null || cat "$root/dockerd.launcher.pid" 2>/dev/null || true)
if [ -S "$sock" ] && [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
  ids=$(timeout 20 /usr/bin/docker -H "unix://$sock" ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && timeout 60 /usr/bin/docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1
fi
stop_pid "$dockerd_pid"
stop_pid "$(cat "$root/socket.pid" 2>/dev/null || true)"

# Leftovers of a daemon that could not remove its containers: the processes in each container's cgroup,
# then this root's shims and containerd (found by their command lines naming this ROOT, never by name).
left_cgroups=()
for shim in /proc/[0-9]*; do
  cmd=$( { tr '\0' ' ' <"$shim/cmdline"; } 2>/dev/null) || continue
  case "$cmd" in *" $root/"*) ;; *) continue ;; esac
  id=$(sed -nE 's/.* -id ([0-9a-f]{64}) .*/\1/p' <<<"$cmd")
  if [ -n "$id" ]; then
    cat /sys/fs/cgroup/*/docker/"$id"/cgroup.procs /sys/fs/cgroup/docker/"$id"/cgroup.procs 2>/dev/null \
      | sort -u | while read -r p; do kill -KILL "$p" 2>/dev/null; done
    left_cgroups+=("$id")
  fi
  kill -KILL "${shim#/proc/}" 2>/dev/null
done
# ... and their cgroup directories, once empty (the bounded wait covers the SIGKILLed processes' exit).
for id in "${left_cgroups[@]}"; do
  for _ in $(seq 1 20); do
    rmdir /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id" 2>/dev/null
    ls -d /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id" >/dev/null 2>&1 || break
    sleep 0.1
  done
done

# Mounts left by a killed daemon would make the rm fail.
grep -o " $root/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
rm -rf "$root"
