#!/bin/sh
# What tk upgrade needs to know about a host, in one round trip, after
# refreshing the package lists: the init system, which of the given packages
# are installed and at what version, every version the sources offer of each
# (apt-cache madison), apt's own candidate for each (apt-cache policy, which
# honours pinning), whether the engine runs, and which of containerd and the
# engine run a binary since replaced on disk. Arguments: the packages.
# Output: @@tk:NAME sections. Runs as root.
set -eu
# tk:include lib/apt-update.sh
# tk:include lib/apt-via.sh
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

echo "@@tk:init"
if [ -d /run/systemd/system ]; then echo systemd
elif command -v rc-service >/dev/null 2>&1; then echo openrc
elif command -v service >/dev/null 2>&1; then echo sysv
else echo unknown; fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "@@tk:no-apt"
	echo "@@tk:end"
	exit 0
fi

# Refresh the lists, waiting for another apt (unattended-upgrades) to finish.
# shellcheck disable=SC2086
apt_update apt-get -q -o Acquire::Retries=3 $apt_via || exit 1

echo "@@tk:installed"
for package in "$@"; do
	dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Version}\n' "$package" 2>/dev/null | awk '$1 ~ /^.i/ {print $2, $3}' || true
done

echo "@@tk:offered"
for package in "$@"; do
	apt-cache madison "$package" 2>/dev/null | awk -F'|' -v p="$package" '{gsub(/ /, "", $2); if ($2 != "") print p, $2}' | sort -u || true
done

echo "@@tk:candidate"
for package in "$@"; do
	apt-cache policy "$package" 2>/dev/null | awk -v p="$package" '$1 == "Candidate:" && $2 != "(none)" {print p, $2}' || true
done

echo "@@tk:service"
if [ -d /run/systemd/system ]; then systemctl is-active docker.service 2>/dev/null || true
elif docker info >/dev/null 2>&1; then echo active
else echo inactive; fi

# Services whose running process runs a binary no longer on disk: upgraded
# without the restart (an upgrade whose host went down half-way, or an apt
# run with restarts held back), so still running the old version.
echo "@@tk:stale"
for service in containerd docker; do
	pid=
	if [ "$service" = docker ]; then binary=dockerd; else binary=$service; fi
	if [ -d /run/systemd/system ]; then pid=$(systemctl show -p MainPID --value "$service.service" 2>/dev/null || true)
	else pid=$(pidof "$binary" 2>/dev/null | cut -d' ' -f1 || true); fi
	if [ -n "$pid" ] && [ "$pid" != 0 ]; then
		case $(readlink "/proc/$pid/exe" 2>/dev/null) in *" (deleted)") echo "$service" ;; esac
	fi
done
echo "@@tk:end"
