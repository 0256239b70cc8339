#!/bin/sh
# What tk upgrade --kernel needs to know about a host, in one round trip,
# changing nothing: the release, the running kernel and architecture, whether
# the machine shares its kernel (a container), the bootloader that would boot
# a new kernel, the host's Debian mirror, and whether a backports source is
# configured. Output: "KEY VALUE" lines.
set -u
LC_ALL=C
export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# shellcheck disable=SC1091
. /etc/os-release 2>/dev/null
echo "id ${ID:-unknown}"
echo "codename ${VERSION_CODENAME:-unknown}"
echo "version ${VERSION_ID:-unknown}"
echo "kernel $(uname -r)"
echo "arch $(dpkg --print-architecture 2>/dev/null || uname -m)"
if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --container >/dev/null 2>&1; then
	echo "container $(systemd-detect-virt --container)"
elif [ -f /.dockerenv ] || grep -qa container= /proc/1/environ 2>/dev/null; then
	echo "container yes"
else
	echo "container no"
fi
if [ -f /boot/grub/grub.cfg ] || [ -x /usr/sbin/update-grub ]; then echo "bootloader grub"
elif command -v bootctl >/dev/null 2>&1 && bootctl is-installed >/dev/null 2>&1; then echo "bootloader systemd-boot"
else echo "bootloader none"; fi
# The first Debian or Ubuntu archive the host's sources name (one-line or deb822).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; exit } }')
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk 'tolower($1) == "uris:" { print $2; exit }')
fi
echo "mirror ${mirror:-none}"
suite="${VERSION_CODENAME:-unknown}-backports"
if grep -qs -E "(^|[[:space:]])${suite}([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then echo "backports yes"; else echo "backports no"; fi
