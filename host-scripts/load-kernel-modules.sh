#!/bin/sh
# Loads the kernel modules the engine needs now and at every boot.
# Arguments: module names. Runs as root.
set -eu
conf=/etc/modules-load.d/docker-engine.conf
for module in "$@"; do
	modprobe "$module"
	if ! grep -qx "$module" "$conf" 2>/dev/null; then echo "$module" >> "$conf"; fi
done
