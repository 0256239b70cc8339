#!/bin/sh
# Enables the engine's service at boot and starts it, with whichever init
# system the host runs. Argument: systemd | openrc | sysv. Runs as root.
set -eu
case "$1" in
	systemd)
		systemctl enable docker.service >/dev/null 2>&1 || systemctl enable docker.service
		systemctl is-active --quiet docker.service || systemctl start docker.service ;;
	openrc)
		rc-update add docker default
		rc-service docker status >/dev/null 2>&1 || rc-service docker start ;;
	sysv)
		if command -v update-rc.d >/dev/null 2>&1; then update-rc.d docker defaults; fi
		service docker status >/dev/null 2>&1 || service docker start ;;
	*)
		echo "unknown init system: $1" >&2
		exit 1 ;;
esac
