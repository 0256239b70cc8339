#!/bin/sh
# Stops a running container (a docker provisioner's container with
# state: stopped). Runs as root.
# Arguments: NAME.
set -eu
docker stop "$1" >/dev/null
