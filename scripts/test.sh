#!/usr/bin/env bash
# THE test command: installs what it needs, builds, runs every test tier, and ends with
# "N passed, M failed[, K skipped]". Kernel and Docker tiers need root (CI runs as root).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

passed=0 failed=0 skipped=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

fail_setup() { echo "test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ "$(id -u)" != 0 ]; then fail_setup "must run as root (BPF and Docker tiers)"; fi
scripts/build.sh || fail_setup "build failed"
# The E2E tier compiles its probe targets (cc) and finds their symbols' file offsets (nm, readelf).
if ! command -v cc >/dev/null || ! command -v nm >/dev/null || ! command -v readelf >/dev/null; then
  echo "test: installing gcc binutils" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc binutils >/dev/null || fail_setup "cannot install gcc binutils"
fi
dotnet build Tetragon.Docker.sln -c Debug --nologo -v quiet -clp:ErrorsOnly || fail_setup "building the tests failed"

# xunit v3 test projects are executables; their summary line gives the counts.
run_xunit() {
  local project=$1 name
  name=$(basename "$project")
  echo "=== $name" >&2
  local log="$results/$name.log"
  TETRAGON_OUT="$root/out" dotnet run --project "$project" -c Debug --no-build 2>&1 | tee "$log" | grep -E '\[FAIL\]|Assert|Expected|Actual|Total:' >&2
  local summary
  summary=$(grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+' "$log" | tail -1)
  if [ -z "$summary" ]; then
    echo "test: $name produced no summary (crashed?)" | tee -a "$results/failures" >&2
    tail -20 "$log" >&2
    failed=$((failed + 1))
    return
  fi
  local total errors fails skips notrun
  total=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$summary")
  errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
  fails=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$summary")
  skips=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$summary")
  notrun=$(sed -E 's/.*Not Run: ([0-9]+).*/\1/' <<<"$summary")
  # The failing tests with their messages, repeated before the closing line: CI keeps the tail.
  sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/\[FAIL\]/ {n = 6; print; next} /\): at |^ +at |--- End of|Stack Trace:/ {n = 0} n > 0 {n--; print}' >>"$results/failures"
  passed=$((passed + total - fails - skips - notrun))
  failed=$((failed + fails + errors))
  skipped=$((skipped + skips))
  grep -E '\[SKIP\]' -A1 "$log" >&2 || true
}

for project in tests/*/; do
  run_xunit "${project%/}"
done

# Script tiers end with "N passed, M failed"; their counts join the total.
run_tier() {
  local name=$1 script=$2 line
  echo "=== $name" >&2
  "$script" 2>&1 | tee "$results/$name.log" >&2
  tr -d '\r' <"$results/$name.log" | grep -E '^(VMTEST )?FAIL ' | sed "s/^/$name: /" >>"$results/failures" || true
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$results/$name.log" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
  else
    echo "test: $name produced no summary" | tee -a "$results/failures" >&2
    failed=$((failed + 1))
  fi
}

# The Docker tier: a private dockerd, the real image, the production `docker run` line.
run_tier docker-e2e scripts/docker-e2e.sh
# The stock-kernel tier: Debian's kernel under qemu runs the kprobe paths this VM lacks.
run_tier kernel-vm scripts/kernel-vm-test.sh

if [ -s "$results/failures" ]; then
  echo "=== failures"
  cat "$results/failures"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
