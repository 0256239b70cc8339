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
init=$1
limit=$2
shift 2

journal() {
	echo "@@tk:journal" >&2
	if [ "$init" = systemd ]; then
		journalctl -u docker -n 20 --no-pager >&2 2>/dev/null || true
	else
		tail -n 20 /var/log/docker.log >&2 2>/dev/null || true
	fi
}

if [ -f /etc/docker/daemon.json ] && dockerd --help 2>/dev/null | grep -q -- '--validate'; then
	if ! out=$(dockerd --validate --config-file /etc/docker/daemon.json 2>&1); then
		echo "the new dockerd refuses /etc/docker/daemon.json: $out" >&2
		exit 3
	fi
fi

restart() {
	case "$init" in
		systemd)
			# A few failed starts in a row leave the unit rate-limited: clear that first.
			systemctl reset-failed "$1.service" >/dev/null 2>&1 || true
			systemctl restart "$1.service" ;;
		openrc) rc-service "$1" restart ;;
		sysv) service "$1" restart ;;
		*) echo "unknown init system: $init" >&2; exit 2 ;;
	esac
}

if [ "$init" = systemd ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
for service in "$@"; do
	restart "$service" >/dev/null 2>&1 || echo "restarting $service failed" >&2
done
if [ "$init" = systemd ]; then systemctl reset-failed docker.socket >/dev/null 2>&1 || true; fi
restart docker >/dev/null 2>&1 || true

waited=0
while :; do
	if version=$(timeout 5 docker info --format '{{.ServerVersion}}' 2>/dev/null); then
		if [ "$init" = systemd ]; then echo "pid=$(systemctl show -p MainPID --value docker.service)"; else echo "pid=$(cat /var/run/docker.pid 2>/dev/null)"; fi
		echo "version=$version"
		exit 0
	fi
	# systemd gives up after its start limit: no use waiting any longer.
	if [ "$init" = systemd ] && systemctl is-failed --quiet docker.service; then break; fi
	if [ "$waited" -ge "$limit" ]; then break; fi
	sleep 1
	waited=$((waited + 1))
done
echo "the engine did not answer docker info within ${limit}s" >&2
journal
exit 1
