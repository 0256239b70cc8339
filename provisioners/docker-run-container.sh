#!/bin/sh
# (Re)creates a container: stops and removes any container named NAME, then
# `docker run -d --name NAME` with the arguments given, and prints its ID.
# Runs as root.
# Arguments: NAME DOCKER-RUN-ARGUMENT... ; stdin: the environment as an
# env-file (KEY=value lines). Its values may be secret: they go through a file
# only root can read, removed when the script ends, never on a command line.
set -eu
name=$1
shift
umask 077
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
trap 'exit 129' HUP INT TERM
cat >"$env_file"
if docker container inspect --format '{{.Id}}' "$name" >/dev/null 2>&1; then
	docker stop "$name" >/dev/null
	docker rm "$name" >/dev/null
fi
docker run -d --name "$name" --env-file "$env_file" "$@"
