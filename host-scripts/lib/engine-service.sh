# The engine's service, for the scripts that restart it. $init is the init
# system (systemd | openrc | sysv) in every function.

# service_restart INIT NAME: restarts a service through the init system. A few
# failed starts in a row leave a systemd unit, and its socket unit where it has
# one (docker.socket), rate-limited: that is cleared first.
# The restart is given 300 s: docker.service has no start timeout of its own
# (TimeoutStartSec=0), and a dockerd hung while starting would hold the script,
# and tk's rollback, forever; the caller's wait then sees it fail.
# A daemon started by openrc or sysv init is this script's child: it must not
# inherit lib/detached-lock.sh's lock (fd 8), or it would hold it for good.
service_restart() {
	case "$1" in
		systemd)
			systemctl reset-failed "$2.service" >/dev/null 2>&1 || true
			systemctl reset-failed "$2.socket" >/dev/null 2>&1 || true
			timeout 300 systemctl restart "$2.service" 8<&- ;;
		openrc) timeout 300 rc-service "$2" restart 8<&- ;;
		sysv) timeout 300 service "$2" restart 8<&- ;;
		*) echo "unknown init system: $1" >&2; exit 2 ;;
	esac
}

# engine_wait INIT SECONDS: waits until `docker info` answers, then sets
# engine_version and engine_pid and returns 0; returns 1 when the time is up,
# or at once when systemd gave up on the unit (its start limit).
engine_wait() {
	engine_waited=0
	while :; do
		if engine_version=$(timeout 5 docker info --format '{{.ServerVersion}}' 2>/dev/null); then
			if [ "$1" = systemd ]; then engine_pid=$(systemctl show -p MainPID --value docker.service)
			else engine_pid=$(cat /var/run/docker.pid 2>/dev/null || true); fi
			return 0
		fi
		if [ "$1" = systemd ] && systemctl is-failed --quiet docker.service; then return 1; fi
		if [ "$engine_waited" -ge "$2" ]; then return 1; fi
		sleep 1
		engine_waited=$((engine_waited + 1))
	done
}

# engine_log INIT: the last 20 lines of the engine's log (the journal under systemd) on stderr.
engine_log() {
	if [ "$1" = systemd ]; then
		journalctl -u docker -n 20 --no-pager >&2 2>/dev/null || true
	else
		tail -n 20 /var/log/docker.log >&2 2>/dev/null || true
	fi
}
