#!/bin/sh
# Starts a stopped container. Runs as root.
# Arguments: NAME.
set -eu
docker start "$1" >/dev/null
