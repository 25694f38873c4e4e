#!/usr/bin/env bash
# Runs the agent in the foreground as root (builds first if needed). Flags pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x out/tetragon ] || [ -n "$(find src bpf proto -newer out/tetragon -type f -print -quit 2>/dev/null)" ]; then
  scripts/build.sh
fi
[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
mount | grep -q ' /sys/fs/bpf ' || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
exec out/tetragon --bpf-lib "$PWD/out/bpf" "$@"
