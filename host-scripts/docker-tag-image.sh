#!/bin/sh
# Tags an image the engine already has (by ID) as IMAGE. Runs as root.
# Arguments: ID IMAGE.
set -eu
docker tag "$1" "$2"
