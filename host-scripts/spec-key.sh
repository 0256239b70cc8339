#!/bin/sh
# The host's key for tk's spec hashes (/var/lib/tk/spec.key): 32 random
# bytes as hex, root's alone (0600), so that the hashes tk records where
# others may read them (state.json, container labels) say nothing about the
# secrets they cover. Prints the key; with $1 "create" it makes one first
# when there is none (tk holds the host's lock then), with "read" it prints
# nothing when there is none. Runs as root.
set -eu
key=/var/lib/tk/spec.key
if [ ! -s "$key" ] && [ "$1" = create ]; then
	# The directory is everyone's to read (state.json is): only the key is private.
	(umask 022 && mkdir -p /var/lib/tk)
	umask 077
	tmp=$(mktemp /var/lib/tk/.spec.key.XXXXXX)
	trap 'rm -f "$tmp"' EXIT
	head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' > "$tmp"
	chown root:root "$tmp"
	chmod 0600 "$tmp"
	mv -f "$tmp" "$key"
	trap - EXIT
fi
if [ -s "$key" ]; then cat "$key"; fi
