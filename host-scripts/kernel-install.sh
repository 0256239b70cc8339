#!/bin/sh
# Installs the release's newer kernel: the metapackage PACKAGE from SUITE
# only (PACKAGE/SUITE: nothing else comes from that suite unless the kernel
# needs it), adding SUITE's source from MIRROR first when the host has none
# (/etc/apt/sources.list.d/tk-SUITE.sources, deb822, Debian's archive key);
# that source stays, since the kernel's security updates come from it.
# Arguments: PACKAGE SUITE MIRROR. Output: "added-source PATH",
# "installed PACKAGE VERSION", "from-suite PKG VERSION" for each package the
# suite gave. Exit 3: the suite offers no PACKAGE. Runs as root.
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
# tk:include lib/apt-update.sh
# tk:include lib/apt-detached.sh
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
package=$1 suite=$2 mirror=$3
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

if ! grep -qs -E "(^|[[:space:]])${suite}([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
	source_file="/etc/apt/sources.list.d/tk-${suite}.sources"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$mirror" "$suite" "$keyring" > "$source_file.tk-new"
	chmod 0644 "$source_file.tk-new"
	mv -f "$source_file.tk-new" "$source_file"
	echo "added-source $source_file"
fi
apt_update $APT
version=$(apt-cache madison "$package" 2>/dev/null | awk -v suite="$suite" '$0 ~ (" " suite "/") { print $3; exit }')
if [ -z "$version" ]; then
	echo "$suite offers no $package" >&2
	exit 3
fi
before_file=$(mktemp /tmp/tk-kernel.XXXXXX)
dpkg-query -W -f '${Package} ${Version}\n' 2>/dev/null | sort > "$before_file"
apt_detached $APT install --no-install-recommends "$package/$suite" >&2
echo "installed $package $version"
# What came from the suite: every package whose installed version only the suite offers.
dpkg-query -W -f '${Package} ${Version}\n' | sort | comm -13 "$before_file" - | while read -r name installed; do
	if apt-cache madison "$name" 2>/dev/null | awk -v v="$installed" -v suite="$suite" '$3 == v && $0 ~ (" " suite "/") { found = 1 } END { exit !found }'; then
		echo "from-suite $name $installed"
	fi
done
rm -f "$before_file"
