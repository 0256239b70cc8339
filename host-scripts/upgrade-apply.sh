#!/bin/sh
# tk upgrade's change of a host, from the install to an engine that answers
# docker info — or back on the previous versions — all here on the host, so
# that a lost connection (tk killed, a laptop asleep, the network cut) never
# leaves new packages under an engine that was never restarted onto them, nor
# a stopped engine that nobody rolls back: hangups and broken pipes are
# ignored, and apt writes to a log file, not the connection.
# The packages' own maintainer scripts would restart docker and containerd
# each time one of them is unpacked; a policy-rc.d holds those restarts back
# while apt runs, so that the engine restarts once, after all of them.
# $1: the init system (systemd | openrc | sysv); $2: seconds the engine has
# to answer docker info after a restart; $3: services restarted before the
# engine (containerd), space-separated, may be empty; $4: what to put back
# when the engine does not come back (PACKAGE=VERSION, space-separated; empty
# when the sources no longer offer every previous version); then the
# packages to install (PACKAGE=VERSION; none: only the restart).
# TK_ALLOW_DOWNGRADES=yes lets apt move a package to an older version.
# TK_ENGINE_PIN, TK_ENGINE_PIN_BACK (Docker's engine, method docker): the
# engine's pin (lib/engine-pin.sh) after the install, and after a rollback.
# Prints, as it goes (parsed by src/upgrade/execute.ts):
#   "@@tk:apt", apt's output, then "@@tk:install CODE";
#   after a failed install, "@@tk:answering" when the engine still answers,
#     or a restart as below (marker "after");
#   "@@tk:restart ok PID VERSION", or "@@tk:restart refused" and dockerd's
#     message (the new dockerd rejects daemon.json: nothing restarted), or
#     "@@tk:restart down", "@@tk:journal" and the engine's last log lines;
#   after a failed restart: "@@tk:rollback put-back|failed|unavailable", then
#     "@@tk:after ok PID VERSION" or "@@tk:after down" (and its journal);
#   "@@tk:end" last.
# Exit: 0 upgraded and answering, 1 the install failed, 2 the restart failed.
# Runs as root.
set -u
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive
# tk:include lib/engine-service.sh
# tk:include lib/apt-detached.sh
# tk:include lib/apt-via.sh
# tk:include lib/install-record.sh
# tk:include lib/engine-pin.sh
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $apt_via"
init=$1
limit=$2
first=$3
back=$4
shift 4

policy=/usr/sbin/policy-rc.d
saved=/usr/sbin/policy-rc.d.tk-upgrade-saved
marker='# tk upgrade: restarts are held back until every package is in place.'

# Holds the packages' restarts back (the host's own policy-rc.d kept aside), then gives it back.
hold_restarts() {
	# A run killed before it could release left tk's own policy behind: that one is not the host's to keep.
	if [ -e "$policy" ] && grep -qxF "$marker" "$policy" 2>/dev/null; then rm -f "$policy"; fi
	if [ -e "$policy" ] && [ ! -e "$saved" ]; then mv "$policy" "$saved"; fi
	printf '#!/bin/sh\n%s\nexit 101\n' "$marker" > "$policy"
	chmod 755 "$policy"
}
release_restarts() {
	rm -f "$policy"
	if [ -e "$saved" ]; then mv "$saved" "$policy"; fi
}
trap 'release_restarts; exit 130' INT TERM

# install_held DOWNGRADES PACKAGE=VERSION...: apt with the restarts held back.
install_held() {
	allow=$1
	shift
	hold_restarts
	install_code=0
	# shellcheck disable=SC2086
	apt_detached $APT install --no-install-recommends --no-remove $allow "$@" || install_code=$?
	release_restarts
	return "$install_code"
}

# restart_engine MARKER SERVICES: the new dockerd checks daemon.json (where it
# can --validate), then SERVICES and the engine restart, once, and the engine
# has $limit seconds to answer.
restart_engine() {
	if [ -f /etc/docker/daemon.json ] && dockerd --help 2>/dev/null | grep -q -- '--validate'; then
		# Debian's 26.1 exits 0 even when it rejects the file: its verdict is the "configuration OK" line.
		if ! out=$(dockerd --validate --config-file /etc/docker/daemon.json 2>&1) || ! printf '%s\n' "$out" | grep -q 'configuration OK'; then
			echo "@@tk:$1 refused"
			printf '%s\n' "the new dockerd refuses /etc/docker/daemon.json: $out" | tr '\n' ' '
			echo
			return 3
		fi
	fi
	if [ "$init" = systemd ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
	for service in $2; do
		service_restart "$init" "$service" >/dev/null 2>&1 || echo "restarting $service failed" >&2
	done
	service_restart "$init" docker >/dev/null 2>&1 || true
	if engine_wait "$init" "$limit"; then
		echo "@@tk:$1 ok $engine_pid $engine_version"
		return 0
	fi
	echo "@@tk:$1 down"
	echo "@@tk:journal"
	engine_log "$init" 2>&1
	return 1
}

downgrades=
if [ "${TK_ALLOW_DOWNGRADES:-no}" = yes ]; then downgrades=--allow-downgrades; fi

# No packages: only the restart, onto what is installed (containerd or the
# engine still ran a binary replaced on disk); nothing to put back after it.
packages=$#
code=0
if [ "$packages" -gt 0 ]; then
	echo "@@tk:apt"
	install_held "$downgrades" "$@" || code=$?
	if [ "$code" = 0 ]; then record_install; fi
	# shellcheck disable=SC2086
	if [ "$code" = 0 ] && [ -n "${TK_ENGINE_PIN:-}" ]; then write_engine_pin $TK_ENGINE_PIN; fi
	echo "@@tk:install $code"
fi
if [ "$code" != 0 ]; then
	# apt stops before unpacking when it cannot fetch or resolve: an engine that still answers is
	# left alone (a restart would stop its containers for nothing); one that does not is restarted.
	if engine_wait "$init" 5; then echo "@@tk:answering"; else restart_engine after ""; fi
	echo "@@tk:end"
	exit 1
fi

if restart_engine restart "$first"; then
	echo "@@tk:end"
	exit 0
fi

if [ "$packages" -eq 0 ]; then
	echo "@@tk:end"
	exit 2
fi

# Put the previous versions back, where the sources still offer them, and start the engine on those.
if [ -z "$back" ]; then
	echo "@@tk:rollback unavailable"
else
	echo "@@tk:apt"
	# shellcheck disable=SC2086
	if install_held --allow-downgrades $back; then
		# shellcheck disable=SC2086
		if [ -n "${TK_ENGINE_PIN_BACK:-}" ]; then write_engine_pin $TK_ENGINE_PIN_BACK; fi
		echo "@@tk:rollback put-back"
	else
		echo "@@tk:rollback failed"
	fi
fi
restart_engine after "$first"
echo "@@tk:end"
exit 2
