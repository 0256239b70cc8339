#!/bin/sh
# (Re)creates a container: `docker run -d --name NAME` with the arguments
# given, and prints its ID. A container already named NAME is renamed to
# NAME-tk-previous and stopped (its ports freed) first, and removed only once
# the new one runs; when the new one fails to start, it is removed and the
# previous container is put back, running if it was. With --health-wait
# SECONDS, a new container with a health check (its own or its image's) must
# become healthy within SECONDS, else it is rolled back the same way, with its
# last health checks on stderr; meanwhile a line "health STATUS SECONDS" each
# second on stdout. Runs as root.
# Arguments: [--health-wait SECONDS] NAME DOCKER-RUN-ARGUMENT... ; stdin: the environment as an
# env-file (KEY=value lines). Its values may be secret: they go through a file
# only root can read, removed when the script ends, never on a command line.
set -eu
health_wait=0
if [ "$1" = --health-wait ]; then
	health_wait=$2
	shift 2
fi
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

# Waits for the new container's health check, if it has one: 0 once healthy (or without one), else 1 with why on stderr.
healthy() {
	waited=0
	while :; do
		status=$(docker container inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}} {{.State.Running}} {{.State.ExitCode}}' "$name")
		set -- $status
		case $1 in
		true | false) return 0 ;; # no health check: only the running field came
		healthy) return 0 ;;
		esac
		if [ "$2" != true ]; then reason="it exited (code $3) before it was healthy"; break; fi
		if [ "$1" = unhealthy ]; then reason="its health check failed"; break; fi
		if [ "$waited" -ge "$health_wait" ]; then reason="it was not healthy within ${health_wait} s (still $1)"; break; fi
		printf 'health %s %s\n' "$1" "$waited"
		sleep 1
		waited=$((waited + 1))
	done
	# The last health checks, one line each (their output quoted, so a line break stays on one line).
	docker container inspect --format '{{if .State.Health}}{{range .State.Health.Log}}health-log: exit {{.ExitCode}}: {{json .Output}}{{println}}{{end}}{{end}}' "$name" | tail -n 3 >&2
	echo "the new container was not healthy: $reason" >&2
	return 1
}

failed='did not start'
if id=$(docker run -d --name "$name" --env-file "$env_file" "$@"); then
	failed='was not healthy'
	if [ "$health_wait" -eq 0 ] || healthy; then
		if exists "$previous"; then docker rm "$previous" >/dev/null; fi
		printf '%s\n' "$id"
		exit 0
	fi
fi

# docker run (or the health wait) said why on stderr; a container it created but could not start goes, the previous one comes back.
docker rm -f "$name" >/dev/null 2>&1 || true
if exists "$previous"; then
	docker rename "$previous" "$name"
	if [ "$was_running" = yes ]; then docker start "$name" >/dev/null; fi
	echo "the new container $failed; the previous $name is back$([ "$was_running" = yes ] && echo ', running')" >&2
fi
exit 1
