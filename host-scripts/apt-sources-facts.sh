#!/bin/sh
# The host's apt sources, for the allow-list of packages fetched through the
# workstation: each file after a line "file PATH" (parsed by
# src/facts/apt-sources.ts). Read-only; no process started (show is a builtin loop).
# tk:include lib/facts-sections.sh
section apt-sources
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -r "$file" ] || continue
	printf 'file %s\n' "$file"
	show "$file"
done
