#!/bin/sh
# The sidecar's PID 1: starts the export-stdout follower (the agent's rotating JSON log → stdout,
# every line once) and the agent; forwards SIGTERM/SIGINT to the agent, lets the follower drain
# the last lines, and exits with the agent's status. Set the export file with
# TETRAGON_EXPORT_FILENAME or a mounted tetragon.conf.d/export-filename (the agent reads both),
# not with --export-filename.
set -u
conf_export=/etc/tetragon/tetragon.conf.d/export-filename
export_file=${TETRAGON_EXPORT_FILENAME:-}
[ -z "$export_file" ] && [ -s "$conf_export" ] && read -r export_file <"$conf_export"
export_file=${export_file:-/var/run/tetragon/tetragon.log}
mkdir -p "$(dirname "$export_file")"
# A restarted container starts a fresh log: its old lines went to stdout already.
rm -f "$export_file" "$export_file".[0-9]*

/opt/tetragon/tetragon-export-stdout "$export_file" &
follower=$!
/opt/tetragon/tetragon "$@" &
agent=$!
trap 'kill -TERM "$agent" 2>/dev/null' TERM INT

wait "$agent"
status=$?
# An interrupted wait returns early (>128): wait until the agent has really exited.
while kill -0 "$agent" 2>/dev/null; do
  wait "$agent"
  status=$?
done
kill -TERM "$follower" 2>/dev/null
wait "$follower"
exit "$status"
