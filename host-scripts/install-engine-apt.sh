#!/bin/sh
# Installs the Docker engine from the host's own apt sources.
# Arguments: the packages to install. TK_OPTIONAL_PACKAGES: packages added
# only when the sources offer them (docker-cli, split off docker.io on newer
# releases). TK_ENGINE_REPLACE: the packages of another engine (docker-ce)
# to purge first, safely (lib/engine-replace.sh); TK_ENGINE_UNPIN: remove
# tk's pin of that engine. Non-interactive; waits for another apt or dpkg to finish instead
# of failing; retries transient download errors. A lost connection does
# not stop the install half-way (see lib/apt-detached.sh). Runs as root.
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
# tk:include lib/apt-update.sh
# tk:include lib/apt-detached.sh
# tk:include lib/apt-via.sh
# tk:include lib/install-record.sh
# tk:include lib/engine-replace.sh
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $apt_via"

# Skip the update when every package is already installed.
need_update=no
for package in "$@"; do
	if ! dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^.i'; then need_update=yes; fi
done
if [ "$need_update" = yes ]; then apt_update $APT; fi

packages="$*"
for package in ${TK_OPTIONAL_PACKAGES:-}; do
	if apt-cache show "$package" >/dev/null 2>&1; then packages="$packages $package"; fi
done

if [ -n "${TK_ENGINE_REPLACE:-}" ]; then
	# shellcheck disable=SC2086
	replace_engine_packages "$APT" $packages
	if [ -n "${TK_ENGINE_UNPIN:-}" ]; then rm -f /etc/apt/preferences.d/tk-docker-engine; fi
fi
# shellcheck disable=SC2086
apt_detached $APT install --no-install-recommends $packages
if [ -n "${TK_ENGINE_REPLACE:-}" ]; then finish_engine_replace; fi
record_install
