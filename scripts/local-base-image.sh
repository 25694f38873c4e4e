#!/usr/bin/env bash
# Builds a runtime base image with no registry: busybox-static plus the host's own libraries that the
# agent needs (glibc, libstdc++, libbpf.so.1, libelf, zlib, zstd), imported with `docker import`.
# Usage: DOCKER_HOST=... scripts/local-base-image.sh [TAG]   (default tetragon-docker/local-base:latest)
set -euo pipefail
tag=${1:-tetragon-docker/local-base:latest}
docker=/usr/bin/docker

need=()
[ -x /bin/busybox ] || need+=(busybox-static)
[ -e /usr/lib/x86_64-linux-gnu/libbpf.so.1 ] || need+=(libbpf1)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

rootfs=$(mktemp -d /tmp/tetragon-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,tmp,run,root,proc,sys,dev,var}
ln -s usr/bin "$rootfs/bin"
ln -s usr/bin "$rootfs/sbin"
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
ln -s ../run "$rootfs/var/run"
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/usr/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$rootfs/usr/bin/$applet" ] || ln -s busybox "$rootfs/usr/bin/$applet"
done

gnu=/usr/lib/x86_64-linux-gnu
# .NET's apphost and native libraries also dlopen libdl/libpthread/librt/libm (glibc compatibility stubs).
libs=($gnu/libbpf.so.1 $gnu/libstdc++.so.6 $gnu/libgcc_s.so.1 $gnu/libc.so.6 $gnu/libm.so.6 $gnu/libdl.so.2
  $gnu/libpthread.so.0 $gnu/librt.so.1)
for lib in "${libs[@]}" $(ldd "${libs[@]}" | awk '/=>/ {print $3} /^\t\/lib64/ {print $1}' | sort -u); do
  real=$(readlink -f "$lib")
  dest="$rootfs/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
  case "$lib" in /lib64/*) dest="$rootfs/usr/lib64/$(basename "$lib")" ;; esac
  cp "$real" "$dest"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

tar -C "$rootfs" -c . | "$docker" import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
echo "$tag"
