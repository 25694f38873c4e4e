#!/usr/bin/env bash
# Starts a private dockerd for tests: no bridge, no iptables, own data/exec roots and socket, and the
# capability-filtering runc wrapper as default runtime (see runc-capfilter). Installs docker.io if missing.
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

/usr/sbin/dockerd \
  --host "unix://$sock" \
  --data-root "$root/data" \
  --exec-root "$root/exec" \
  --pidfile "$root/dockerd.pid" \
  --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --add-runtime "capfilter=$here/runc-capfilter" --default-runtime capfilter \
  >"$root/dockerd.log" 2>&1 &
echo $! >"$root/dockerd.launcher.pid"

deadline=$((SECONDS + 30))
until /usr/bin/docker -H "unix://$sock" version >/dev/null 2>&1; do
  if (( SECONDS >= deadline )) || ! kill -0 "$(cat "$root/dockerd.launcher.pid")" 2>/dev/null; then
    echo "start-dockerd: dockerd did not come up; last log lines:" >&2
    tail -n 20 "$root/dockerd.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "unix://$sock"
