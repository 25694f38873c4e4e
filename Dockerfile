# syntax=docker/dockerfile:1
# The Tetragon.Docker sidecar: the agent (tetragon), the CLI (tetra) and the export-stdout follower.
#
# From source, with public images (the default target):
#   docker build -t tetragon-docker .
# Without a registry or network (as in this project's CI): build on the host, then package out/:
#   scripts/build.sh (Native AOT programs and BPF objects in out/; see scripts/docker-e2e.sh), then
#   docker build --target runtime-prebuilt --build-arg RUNTIME_IMAGE=tetragon-docker/local-base:latest -t tetragon-docker .
#   (scripts/local-base-image.sh makes that base image from host files with `docker import`.)
# Run (the same settings as compose.yaml):
#   docker run -d --name tetragon --privileged --pid=host -v /sys/kernel:/sys/kernel \
#     -v /sys/fs/cgroup:/sys/fs/cgroup:ro -v /var/run/docker.sock:/var/run/docker.sock:ro tetragon-docker

ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG BPF_BUILD_IMAGE=debian:bookworm
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0

# ---- what every runtime image has: no RUN here, so it builds on a busybox-only base ----
FROM ${RUNTIME_IMAGE} AS runtime-common
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    PATH=/opt/tetragon:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["/opt/tetragon/tetra", "status"]
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]

# ---- packaging of a host build (out/: native linux-x64 programs + out/bpf/*.o); no network needed ----
# Listed before the build stages: the classic builder builds every stage up to --target.
FROM runtime-common AS runtime-prebuilt
COPY out/ /opt/tetragon/

# ---- BPF objects ----
FROM ${BPF_BUILD_IMAGE} AS bpf
RUN apt-get update && apt-get install -y --no-install-recommends clang llvm libbpf-dev make \
    && rm -rf /var/lib/apt/lists/*
COPY bpf /src/bpf
RUN make -C /src/bpf OUT=/out/bpf

# ---- .NET: agent, CLI and follower, Native AOT (the runtime image needs no .NET; clang links) ----
FROM ${SDK_IMAGE} AS dotnet
RUN apt-get update && apt-get install -y --no-install-recommends clang \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json .editorconfig ./
COPY proto proto
COPY src src
RUN for p in Tetragon.Docker.Agent Tetragon.Docker.Cli Tetragon.Docker.ExportStdout; do \
      dotnet publish "src/$p" -c Release -r linux-x64 -o /out || exit 1; \
    done && rm -f /out/*.dbg /out/*.pdb

# ---- production image (default target) ----
FROM runtime-common AS runtime-deps
RUN apt-get update && apt-get install -y --no-install-recommends libbpf1 libelf1 zlib1g \
    && rm -rf /var/lib/apt/lists/*

FROM runtime-deps AS runtime
COPY --from=dotnet /out/ /opt/tetragon/
COPY --from=bpf /out/bpf/ /opt/tetragon/bpf/
