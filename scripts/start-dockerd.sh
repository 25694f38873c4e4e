#!/usr/bin/env bash
# Starts a private dockerd for tests: no bridge, no iptables, own data/exec roots and socket, and the
# capability-filtering runc wrapper as default runtime (see runc-capfilter). Installs docker.io if missing.
# Like a systemd host: the socket is socket-activated (held by scripts/dockerd-socket, pid in
# ROOT/socket.pid, so it keeps its inode across dockerd restarts) and --live-restore keeps containers
# running while dockerd is down. Restart: kill -TERM "$(cat ROOT/dockerd.pid)", wait, run this again.
# Usage: scripts/start-dockerd.sh [ROOT]   (default /tmp/tetragon-dockerd)
# Prints the socket's DOCKER_HOST value on stdout; stop it with scripts/stop-dockerd.sh ROOT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${1:-/tmp/tetragon-dockerd}

if [ ! -x /usr/sbin/dockerd ] || [ ! -x /usr/bin/docker ] || ! command -v jq >/dev/null; then
  echo "start-dockerd: installing docker.io jq" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io jq >/dev/null
fi

mkdir -p "$root/data" "$root/exec"
sock="$root/docker.sock"
if [ -f "$root/dockerd.pid" ] && kill -0 "$(cat "$root/dockerd.pid")" 2>/dev/null; then
  echo "unix://$sock"
  exit 0
fi

# The socket holder: started once per ROOT, it outlives every dockerd.
if ! { [ -f "$root/socket.pid" ] && kill -0 "$(cat "$root/socket.pid")" 2>/dev/null; }; then
  rm -f "$sock"
  "$here/dockerd-socket" hold "$sock" </dev/null >>"$root/socket.log" 2>&1 &
  echo $! >"$root/socket.pid"
  for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || { echo "start-dockerd: socket holder failed:" >&2; cat "$root/socket.log" >&2; exit 1; }
fi

"$here/dockerd-socket" exec "$(cat "$root/socket.pid")" -- /usr/sbin/dockerd \
  --host fd:// \
  --data-root "$root/data" \
  --exec-root "$root/exec" \
  --pidfile "$root/dockerd.pid" \
  --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --add-runtime "capfilter=$here/runc-capfilter" --default-runtime capfilter \
  --live-restore \
  </dev/null >>"$root/dockerd.log" 2>&1 &
echo $! >"$root/dockerd.launcher.pid"

deadline=$((SECONDS + 30))
# (a socket-activated socket accepts connections before dockerd serves them: bound each probe)
until timeout 5 /usr/bin/docker -H "unix://$sock" version >/dev/null 2>&1; do
  if (( SECONDS >= deadline )) || ! kill -0 "$(cat "$root/dockerd.launcher.pid")" 2>/dev/null; then
    echo "start-dockerd: dockerd did not come up; last log lines:" >&2
    tail -n 20 "$root/dockerd.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "unix://$sock"
