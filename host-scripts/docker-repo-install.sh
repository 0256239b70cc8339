#!/bin/sh
# Adds Docker's apt repository (or a mirror of it) to the host and installs
# the engine from it (tk provision, method docker): the signing key under
# /etc/apt/keyrings, the source as deb822 in
# /etc/apt/sources.list.d/docker.sources with Signed-By, any other source
# file for the same URI (get.docker.com's docker.list) disabled so that apt
# never sees two Signed-By for one repository, then apt-get update. When the
# update fails (a bad signature, an unreachable repository) every file is put
# back as it was and the script exits 3 with apt's message. Then the pin
# (lib/engine-pin.sh) and the install, detached from the connection.
# $1: the repository URI (BASE/DISTRO); $2: the suite; $3: the component;
# $4: the architecture; then the packages (PACKAGE=VERSION).
# TK_ENGINE_REPLACE: the packages of another engine (docker.io) to purge
# first, safely (lib/engine-replace.sh).
# TK_REPOSITORY_KEY: the key, base64 of its binary form, whose fingerprint tk
# checked. TK_ENGINE_PIN: PACKAGE=VERSION pairs to pin. Prints
# "@@tk:replaced FILE" for each source file disabled. Runs as root.
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
# tk:include lib/apt-update.sh
# tk:include lib/apt-detached.sh
# tk:include lib/engine-pin.sh
# tk:include lib/apt-via.sh
# tk:include lib/install-record.sh
# tk:include lib/engine-replace.sh
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $apt_via"
uri=$1
suite=$2
component=$3
arch=$4
shift 4

keyring=/etc/apt/keyrings/docker.gpg
source_file=/etc/apt/sources.list.d/docker.sources
mkdir -p /etc/apt/keyrings
chmod 0755 /etc/apt/keyrings

# What was there, to put back when apt-get update fails.
for file in "$keyring" "$source_file"; do
	rm -f "$file.tk-old"
	if [ -e "$file" ]; then cp -p "$file" "$file.tk-old"; fi
done
put_back() {
	for file in "$keyring" "$source_file"; do
		if [ -e "$file.tk-old" ]; then mv -f "$file.tk-old" "$file"; else rm -f "$file"; fi
	done
	for file in $replaced; do mv -f "$file.disabled" "$file"; done
}

printf '%s' "$TK_REPOSITORY_KEY" | base64 -d > "$keyring.tk-new"
chmod 0644 "$keyring.tk-new"
mv -f "$keyring.tk-new" "$keyring"

# Other source files for the same repository (URI with or without a trailing slash).
replaced=
for file in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$file" ] && [ "$file" != "$source_file" ] || continue
	if grep -v '^[[:space:]]*#' "$file" | grep -qE "(^|[[:space:]])$(printf '%s' "$uri" | sed 's/[].[^$*+?(){}|\\]/\\&/g')/?([[:space:]]|$)"; then
		mv -f "$file" "$file.disabled"
		replaced="$replaced $file"
		echo "@@tk:replaced $file"
	fi
done

{
	echo "# Written by tk (method: docker): Docker's apt repository."
	echo "Types: deb"
	echo "URIs: $uri"
	echo "Suites: $suite"
	echo "Components: $component"
	echo "Architectures: $arch"
	echo "Signed-By: $keyring"
} > "$source_file.tk-new"
chmod 0644 "$source_file.tk-new"
mv -f "$source_file.tk-new" "$source_file"

if ! apt_update $APT 2> /tmp/tk-apt-update.$$; then
	put_back
	echo "apt-get update failed with the repository $uri $suite (the host's apt sources are as they were): $(grep -E '^(E|W):' /tmp/tk-apt-update.$$ | tail -n 2 | tr '\n' ' ')" >&2
	rm -f /tmp/tk-apt-update.$$
	exit 3
fi
rm -f /tmp/tk-apt-update.$$ "$keyring.tk-old" "$source_file.tk-old"

# shellcheck disable=SC2086
write_engine_pin ${TK_ENGINE_PIN:-}
if [ -n "${TK_ENGINE_REPLACE:-}" ]; then replace_engine_packages "$APT" "$@"; fi
# shellcheck disable=SC2086
apt_detached $APT install --no-install-recommends "$@"
if [ -n "${TK_ENGINE_REPLACE:-}" ]; then finish_engine_replace; fi
record_install
