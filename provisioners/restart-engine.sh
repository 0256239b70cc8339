#!/bin/sh
# Restarts the engine and waits (up to $2 seconds) until `docker info`
# answers. $1: the init system (systemd | openrc | sysv). On success prints
# "pid=PID". When the engine does not come back, prints the last lines of its
# log (the journal under systemd) on stderr and exits 1. Runs as root.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# tk:include lib/engine-service.sh
init=$1
limit=${2:-60}
case "$init" in systemd|openrc|sysv) ;; *) echo "unknown init system: $init" >&2; exit 2 ;; esac
if [ "$init" = systemd ]; then systemctl reset-failed docker.socket >/dev/null 2>&1 || true; fi
service_restart "$init" docker >/dev/null 2>&1 || true
if engine_wait "$init" "$limit"; then
	echo "pid=$engine_pid"
	exit 0
fi
engine_log "$init"
exit 1
