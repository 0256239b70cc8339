#!/bin/sh
# Runs a throwaway container from the image given as $1 with its default
# command (as `docker run hello-world` does); it must exit 0.
set -eu
if ! out=$(docker run --rm --network none "$1" 2>&1); then
	echo "$out" | tail -n 5 >&2
	exit 1
fi
echo ok
