#!/bin/sh
# Restarts the engine and waits (up to $2 seconds) until `docker info`
# answers. $1: the init system (systemd | openrc | sysv). On success prints
# "pid=PID". When the engine does not come back, prints the last lines of its
# log (the journal under systemd) on stderr and exits 1. Runs as root.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
init=$1
limit=${2:-60}
case "$init" in
	systemd)
		# A few failed starts in a row leave the unit (and its socket) rate-limited: clear that first.
		systemctl reset-failed docker.service docker.socket >/dev/null 2>&1 || true
		systemctl restart docker.service >/dev/null 2>&1 || true ;;
	openrc) rc-service docker restart >/dev/null 2>&1 || true ;;
	sysv) service docker restart >/dev/null 2>&1 || true ;;
	*) echo "unknown init system: $init" >&2; exit 2 ;;
esac
waited=0
while :; do
	if timeout 5 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
		if [ "$init" = systemd ]; then echo "pid=$(systemctl show -p MainPID --value docker.service)"; else echo "pid=$(cat /var/run/docker.pid 2>/dev/null)"; fi
		exit 0
	fi
	# systemd gives up after its start limit: no use waiting any longer.
	if [ "$init" = systemd ] && systemctl is-failed --quiet docker.service; then break; fi
	if [ "$waited" -ge "$limit" ]; then break; fi
	sleep 1
	waited=$((waited + 1))
done
if [ "$init" = systemd ]; then
	journalctl -u docker -n 20 --no-pager >&2 2>/dev/null || true
else
	tail -n 20 /var/log/docker.log >&2 2>/dev/null || true
fi
exit 1
