#!/usr/bin/env bash
# Builds the BPF objects and the .NET programs into out/: out/tetragon (agent), out/tetra (CLI), out/bpf/*.o.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

need=()
for tool in clang llvm-strip bpftool; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "build: installing clang llvm libbpf-dev bpftool (missing: ${need[*]})" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends clang llvm libbpf-dev bpftool libbpf1 make >/dev/null
fi

make -s -C bpf OUT="$root/out/bpf"
configuration=${CONFIGURATION:-Release}
for project in Tetragon.Docker.Agent Tetragon.Docker.Cli Tetragon.Docker.ExportStdout; do
  # Native AOT (PublishAot in each project): one native program each, no .NET runtime needed to run it.
  dotnet publish "src/$project" -c "$configuration" -o out --nologo -v quiet -r linux-x64 "$@"
done
echo "build: out/tetragon out/tetra out/bpf/$(ls out/bpf | tr '\n' ' ')" >&2
