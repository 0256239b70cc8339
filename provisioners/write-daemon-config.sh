#!/bin/sh
# Replaces /etc/docker/daemon.json with the content on stdin: validated by
# dockerd first where it can (--validate, engine 23.0+), the old file kept as
# daemon.json.tk-backup-$1, the new one written to a temporary file in the
# same directory and renamed over the old, so no reader ever sees half a file.
# Prints "backup=PATH", or "backup=none" when there was no file.
# Exit: 0 written, 3 rejected by dockerd (nothing written). Runs as root.
set -eu
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
target=/etc/docker/daemon.json
stamp=$1
mkdir -p /etc/docker
candidate=$(mktemp /etc/docker/.daemon.json.tk-XXXXXX)
trap 'rm -f "$candidate"' EXIT
cat > "$candidate"
# The file keeps its owner and mode (a hardened host's 0600 stays 0600); a new one is 0644.
if [ -f "$target" ]; then
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
	echo "backup=$backup"
else
	echo "backup=none"
fi
mv -f "$candidate" "$target"
trap - EXIT
