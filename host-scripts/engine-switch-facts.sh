#!/bin/sh
# What switching the engine between docker.io and docker-ce needs to know,
# read-only: the names of the running containers, and the docker.io
# versions the host's apt sources offer (apt-cache, as of the last update).
# Output: @@tk:running (names), @@tk:offered (versions), @@tk:end. Runs as root.
set -eu
export LC_ALL=C
echo "@@tk:running"
if command -v docker >/dev/null 2>&1; then docker ps --format '{{.Names}}' 2>/dev/null || true; fi
echo "@@tk:offered"
apt-cache madison docker.io 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -u || true
echo "@@tk:end"
