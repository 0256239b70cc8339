#!/bin/sh
# (Re)creates a container: `docker run -d --name NAME` with the arguments
# given, and prints its ID. A container already named NAME is renamed to
# NAME-tk-previous and stopped (its ports freed) first, and removed only once
# the new one runs; when the new one fails to start, it is removed and the
# previous container is put back, running if it was. Runs as root.
# Arguments: NAME DOCKER-RUN-ARGUMENT... ; stdin: the environment as an
# env-file (KEY=value lines). Its values may be secret: they go through a file
# only root can read, removed when the script ends, never on a command line.
set -eu
name=$1
shift
previous="$name-tk-previous"
umask 077
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
trap 'exit 129' HUP INT TERM
cat >"$env_file"

exists() { docker container inspect --format '{{.Id}}' "$1" >/dev/null 2>&1; }

# A run cut off half-way left the old container under the other name: with no
# NAME it is the one to keep; next to a NAME, the new one had started already.
if exists "$previous"; then
	if exists "$name"; then docker rm -f "$previous" >/dev/null
	else docker rename "$previous" "$name"; fi
fi

was_running=no
if exists "$name"; then
	if [ "$(docker container inspect --format '{{.State.Running}}' "$name")" = true ]; then was_running=yes; fi
	docker rename "$name" "$previous"
	docker stop "$previous" >/dev/null
fi

if id=$(docker run -d --name "$name" --env-file "$env_file" "$@"); then
	if exists "$previous"; then docker rm "$previous" >/dev/null; fi
	printf '%s\n' "$id"
	exit 0
fi

# docker run said why on stderr; a container it created but could not start goes, the previous one comes back.
docker rm -f "$name" >/dev/null 2>&1 || true
if exists "$previous"; then
	docker rename "$previous" "$name"
	if [ "$was_running" = yes ]; then docker start "$name" >/dev/null; fi
	echo "the new container did not start; the previous $name is back$([ "$was_running" = yes ] && echo ', running')" >&2
fi
exit 1
