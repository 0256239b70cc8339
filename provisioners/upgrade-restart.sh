#!/bin/sh
# After tk upgrade changed the engine's packages: checks the daemon
# configuration with the new dockerd (where it can --validate), restarts the
# given services that changed (containerd), then the engine, once, and waits
# up to $2 seconds for `docker info` to answer.
# $1: the init system (systemd | openrc | sysv); $2: seconds; then services.
# On success prints "pid=PID" and "version=VERSION". When the configuration
# is refused, exits 3; when the engine does not answer, prints the last 20
# lines of its journal on stderr after a "@@tk:journal" line and exits 1.
# Runs as root.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# tk:include lib/engine-service.sh
init=$1
limit=$2
shift 2

if [ -f /etc/docker/daemon.json ] && dockerd --help 2>/dev/null | grep -q -- '--validate'; then
	# Debian's 26.1 exits 0 even when it rejects the file: its verdict is the "configuration OK" line.
	if ! out=$(dockerd --validate --config-file /etc/docker/daemon.json 2>&1) || ! printf '%s\n' "$out" | grep -q 'configuration OK'; then
		echo "the new dockerd refuses /etc/docker/daemon.json: $out" >&2
		exit 3
	fi
fi

if [ "$init" = systemd ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
for service in "$@"; do
	service_restart "$init" "$service" >/dev/null 2>&1 || echo "restarting $service failed" >&2
done
service_restart "$init" docker >/dev/null 2>&1 || true

if engine_wait "$init" "$limit"; then
	echo "pid=$engine_pid"
	echo "version=$engine_version"
	exit 0
fi
echo "the engine did not answer docker info within ${limit}s" >&2
echo "@@tk:journal" >&2
engine_log "$init"
exit 1
