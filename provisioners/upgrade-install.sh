#!/bin/sh
# Installs engine packages at exact versions (arguments: PACKAGE=VERSION ...)
# with the apt options tk's installs use: non-interactive, keeping changed
# configuration files, waiting for the dpkg lock, retrying downloads. Never
# removes a package. TK_ALLOW_DOWNGRADES=yes lets apt move a package to an
# older version (tk decided that already, and rollbacks need it).
# The packages' own maintainer scripts would restart docker and containerd
# each time one of them is unpacked; a policy-rc.d holds those restarts back,
# so that tk restarts the engine once, after all of them. A lost connection
# does not stop the install half-way, nor leave tk's policy-rc.d behind (see
# lib/apt-detached.sh). Runs as root.
set -eu
trap '' HUP PIPE
# tk:include lib/apt-detached.sh
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

policy=/usr/sbin/policy-rc.d
saved=/usr/sbin/policy-rc.d.tk-upgrade-saved
marker='# tk upgrade: restarts are held back until every package is in place.'
# A run killed before its exit trap left tk's own policy behind: that one is not the host's to keep.
if [ -e "$policy" ] && grep -qxF "$marker" "$policy" 2>/dev/null; then rm -f "$policy"; fi
if [ -e "$policy" ] && [ ! -e "$saved" ]; then mv "$policy" "$saved"; fi
restore() {
	rm -f "$policy"
	if [ -e "$saved" ]; then mv "$saved" "$policy"; fi
}
trap restore EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\n%s\nexit 101\n' "$marker" > "$policy"
chmod 755 "$policy"

downgrades=""
if [ "${TK_ALLOW_DOWNGRADES:-no}" = yes ]; then downgrades="--allow-downgrades"; fi
# shellcheck disable=SC2086
apt_detached $APT install --no-install-recommends --no-remove $downgrades "$@"
