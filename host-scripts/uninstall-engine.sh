#!/bin/sh
# Removes the Docker engine a host got from apt: stops it, then removes
# (apt-get remove, not purge) the engine packages that are installed
# (Debian's and Docker's own). Data is not tk's to delete: a purge would run
# the packages' purge scripts, and Debian's docker.io's deletes
# /var/lib/docker. Removed packages stay in dpkg's "rc" state with their
# config files; docker.io's prerm leaves its nuke-graph-directory.sh in
# /var/lib/docker for a later purge to run: tk takes its execute bit away,
# so that a later `apt-get purge docker.io` leaves the data too. What remains
# of the data afterwards is listed. Runs as root.
# Prints one line per fact: "removed PKG", "disarmed PATH", "kept PATH",
# "none" when no engine package was installed. A lost connection does not
# stop the removal half-way (see lib/apt-detached.sh).
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
# tk:include lib/apt-detached.sh
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=600"

# Installed packages among the engine's (patterns as dpkg-query takes them).
installed=$(dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' \
	docker.io docker-cli docker-doc 'docker-ce*' docker-buildx-plugin \
	docker-compose docker-compose-plugin containerd containerd.io runc 2>/dev/null |
	awk '$2 ~ /^.i/ { print $1 }' || true)

if [ -n "$installed" ]; then
	if command -v systemctl >/dev/null 2>&1; then
		systemctl stop docker.socket docker.service containerd.service >/dev/null 2>&1 || true
	fi
	# shellcheck disable=SC2086
	if ! out=$(apt_detached $APT remove $installed 2>&1); then
		echo "$out" >&2
		exit 1
	fi
	for package in $installed; do echo "removed $package"; done
else
	echo none
fi

# docker.io's postrm runs this copy on purge only when it is executable.
nuke=/var/lib/docker/nuke-graph-directory.sh
if [ -f "$nuke" ] && [ ! -L "$nuke" ] && [ -x "$nuke" ]; then
	chmod a-x "$nuke"
	echo "disarmed $nuke"
fi

for path in /var/lib/docker /var/lib/containerd /etc/docker/daemon.json /etc/docker /var/lib/tk; do
	if [ -e "$path" ]; then
		# An empty directory is no data; /etc/docker matters only beside daemon.json when it holds more.
		if [ -d "$path" ] && [ -z "$(ls -A "$path" 2>/dev/null)" ]; then continue; fi
		if [ "$path" = /etc/docker ] && [ "$(ls -A /etc/docker)" = daemon.json ]; then continue; fi
		echo "kept $path"
	fi
done
