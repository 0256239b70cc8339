#!/bin/sh
# Waits (up to $1 seconds, default 60) until the engine answers, then prints
# its server version. Exits 1 with the last error when it never does.
set -u
limit=${1:-60}
waited=0
while :; do
	if version=$(docker version --format '{{.Server.Version}}' 2>&1); then
		echo "$version"
		exit 0
	fi
	if [ "$waited" -ge "$limit" ]; then
		echo "$version" >&2
		exit 1
	fi
	sleep 1
	waited=$((waited + 1))
done
