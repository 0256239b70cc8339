#!/bin/sh
# Puts back the daemon.json that write-daemon-config.sh replaced: $1 is the
# backup's path, or "none" when there was no file (it is then removed). The
# backup is copied, not moved, so it stays for the record. Runs as root.
set -eu
target=/etc/docker/daemon.json
if [ "$1" = none ]; then
	rm -f "$target"
	exit 0
fi
tmp=$(mktemp /etc/docker/.daemon.json.tk-XXXXXX)
cp -p "$1" "$tmp"
mv -f "$tmp" "$target"
