#!/bin/sh
# Replaces /etc/docker/daemon.json with the content on stdin: validated by
# dockerd first where it can (--validate, engine 23.0+), the old file kept as
# daemon.json.tk-backup-$1, the new one written to a temporary file in the
# same directory and renamed over the old, so no reader ever sees half a file.
# $2 is "private" when the file holds a secret: then it and its backup are
# root's alone (0600), whatever the old file's mode; with "keep" the file
# keeps its owner and mode, and a new one is 0644.
# With $3 (the init system) and $4 (seconds), it then restarts the engine and
# waits for `docker info`; when the engine does not come back it puts the
# previous file back and restarts it again — all here on the host, so that a
# connection lost half-way (tk killed, a laptop asleep) never leaves the new
# file under a stopped engine: hangups and broken pipes are ignored.
# Prints "backup=PATH" ("backup=none" when there was no file), then "pid=PID"
# after a good restart, or "restored-pid=PID" after a rollback that brought
# the engine back. On a failed restart the engine's last log lines go to
# stderr, before any "@@tk:restore-failed MESSAGE".
# Exit: 0 written (and restarted), 3 rejected by dockerd (nothing written),
# 4 rolled back and the engine answers, 5 rolled back and the engine is still
# down, 6 putting the previous file back failed. Runs as root.
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# tk:include lib/engine-service.sh
target=/etc/docker/daemon.json
stamp=$1
mode=$2
init=${3:-}
limit=${4:-60}
mkdir -p /etc/docker
candidate=$(mktemp /etc/docker/.daemon.json.tk-XXXXXX)
trap 'rm -f "$candidate"' EXIT
cat > "$candidate"
# The file keeps its owner and mode (a hardened host's 0600 stays 0600); a new one is 0644.
if [ "$mode" = private ]; then
	chown root:root "$candidate"
	chmod 0600 "$candidate"
elif [ -f "$target" ]; then
	chown --reference="$target" "$candidate"
	chmod --reference="$target" "$candidate"
else
	chmod 0644 "$candidate"
fi
if dockerd --help 2>/dev/null | grep -q -e '--validate'; then
	if ! out=$(dockerd --validate --config-file "$candidate" 2>&1) || ! printf '%s\n' "$out" | grep -q 'configuration OK'; then
		printf '%s\n' "$out" | sed "s#$candidate#daemon.json#g" | tail -n 5 >&2
		exit 3
	fi
fi
if [ -f "$target" ]; then
	backup="$target.tk-backup-$stamp"
	cp -p "$target" "$backup"
	if [ "$mode" = private ]; then chmod 0600 "$backup"; fi
	echo "backup=$backup"
else
	backup=none
	echo "backup=none"
fi
# -T: were daemon.json a link to a directory, mv would put the file inside that directory.
mv -fT "$candidate" "$target"
trap - EXIT
[ -n "$init" ] || exit 0

# From here nothing may stop half-way: no set -e.
set +e
restart() {
	service_restart "$init" docker >/dev/null 2>&1
	engine_wait "$init" "$limit"
}
if restart; then
	echo "pid=$engine_pid"
	exit 0
fi
engine_log "$init"
# The previous file back (the backup is copied, not moved: it stays for the record), or no file when there was none.
if [ "$backup" = none ]; then
	restored=$(rm -f "$target" 2>&1)
else
	restored=$( { tmp=$(mktemp /etc/docker/.daemon.json.tk-XXXXXX) && cp -p "$backup" "$tmp" && mv -fT "$tmp" "$target"; } 2>&1)
fi
status=$?
if [ "$status" -ne 0 ]; then
	printf '@@tk:restore-failed %s\n' "$(printf '%s' "$restored" | tr '\n' ' ')" >&2
	exit 6
fi
if restart; then
	echo "restored-pid=$engine_pid"
	exit 4
fi
exit 5
