#!/bin/sh
# Installs the Docker engine from the host's own apt sources.
# Arguments: the packages to install. TK_OPTIONAL_PACKAGES: packages added
# only when the sources offer them (docker-cli, split off docker.io on newer
# releases). Non-interactive; waits for another apt or dpkg to finish instead
# of failing; retries transient download errors. Runs as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

# apt-get update holds the lists lock, which DPkg::Lock::Timeout does not
# cover: wait for another update (unattended-upgrades on first boot) ourselves.
update() {
	tries=0
	while :; do
		if out=$($APT update 2>&1); then return 0; fi
		case $out in
			*"Could not get lock"*|*"Unable to lock"*)
				tries=$((tries + 1))
				if [ "$tries" -ge 200 ]; then echo "$out" >&2; return 1; fi
				sleep 3 ;;
			*) echo "$out" >&2; return 1 ;;
		esac
	done
}

# Skip the update when every package is already installed.
need_update=no
for package in "$@"; do
	if ! dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^.i'; then need_update=yes; fi
done
if [ "$need_update" = yes ]; then update; fi

packages="$*"
for package in ${TK_OPTIONAL_PACKAGES:-}; do
	if apt-cache show "$package" >/dev/null 2>&1; then packages="$packages $package"; fi
done

# shellcheck disable=SC2086
$APT install --no-install-recommends $packages
