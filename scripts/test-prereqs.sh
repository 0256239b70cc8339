#!/bin/sh
# Installs the Debian packages the test suite needs on this machine, when they
# are missing: docker.io (the engine the sandbox machines run on, and Debian's
# check-config.sh, the oracle of the check tests), debootstrap and
# busybox-static (sandbox images), openssh-client and tmux (SSH tests),
# mmdebstrap and uidmap (images built without root, on a user's engine).
set -eu
packages="docker.io debootstrap busybox-static openssh-client tmux mmdebstrap uidmap"
missing=
for package in $packages; do
	if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $package"
	fi
done
# Every sandbox machine's systemd takes several inotify instances, and a full test
# run keeps ~30 machines up at once: at Debian's default of 128 instances per user,
# machines late in the run die while booting (systemd exits 255, no console).
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/fs/inotify/max_user_instances ] && [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -lt 1024 ]; then
	echo "raising fs.inotify.max_user_instances to 1024 for the sandbox machines" >&2
	echo 1024 > /proc/sys/fs/inotify/max_user_instances
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tests need these Debian packages:$missing; install them (as root: apt-get install$missing)" >&2
	exit 1
fi
echo "installing test prerequisites:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
