#!/bin/sh
# Pulls IMAGE and prints its ID. Runs as root.
# Arguments: IMAGE.
set -eu
docker pull --quiet "$1" >/dev/null
docker image inspect --format '{{.Id}}' "$1"
