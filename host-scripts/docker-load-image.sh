#!/bin/sh
# Loads a `docker save` archive read from stdin and tags its image as IMAGE,
# then prints the image's ID. Runs as root.
# Arguments: IMAGE ID... (the IDs the archive's image may have on this engine:
# its config digest, or its manifest digest on a containerd image store).
set -eu
image=$1
shift
docker load --quiet >/dev/null
for id in "$@"; do
	if docker image inspect --format '{{.Id}}' "$id" >/dev/null 2>&1; then
		docker tag "$id" "$image"
		docker image inspect --format '{{.Id}}' "$image"
		exit 0
	fi
done
echo "the archive loaded, but the engine has none of its image IDs ($*)" >&2
exit 1
