#!/bin/sh
# Gathers every fact `tk check` needs from a host in one pass, so a remote
# check costs one round trip. Read-only. Output: sections, each opened by a
# line "@@tk:NAME", parsed by src/check/facts.ts.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

# tk:include lib/facts-sections.sh

section uname
show /proc/sys/kernel/osrelease || uname -r
uname -m

section os-release
show /etc/os-release || show /usr/lib/os-release || true

# The kernel config, searched where check-config.sh searches it.
read -r release 2>/dev/null < /proc/sys/kernel/osrelease || release=$(uname -r)
config=
for candidate in /proc/config.gz "/boot/config-$release" "/usr/src/linux-$release/.config" /usr/src/linux/.config; do
	if [ -r "$candidate" ] && [ -f "$candidate" ]; then
		config=$candidate
		break
	fi
done
section config-path
echo "$config"
section config-base64
if [ -n "$config" ]; then
	base64 < "$config"
fi

section mounts
# Printed as read, and the first cgroup v1 hierarchy of a controller
# check-config.sh looks for noted on the way (as its awk finds it), so that
# no process reads the file again.
subsystem_dir=
if [ -r /proc/mounts ]; then
	set -f
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		if [ -z "$subsystem_dir" ]; then
			# shellcheck disable=SC2086 # split into fields, as awk does
			set -- $line
			if [ "${3:-}" = cgroup ]; then
				case ",${4:-}," in *,cpu,* | *,cpuacct,* | *,cpuset,* | *,devices,* | *,freezer,* | *,memory,*) subsystem_dir=$2 ;; esac
			fi
		fi
	done < /proc/mounts
	set +f
fi

section cgroup-controllers
show /sys/fs/cgroup/cgroup.controllers || true

# cgroup v1: the directory holding the hierarchies, as check-config.sh finds it.
section cgroup-v1-dir
if [ -n "$subsystem_dir" ]; then
	parent=${subsystem_dir%/*}
	echo "$subsystem_dir"
	for name in cpu cpuacct cpuset devices freezer memory; do
		if [ -d "$parent/$name" ]; then echo "$name"; fi
	done
fi

section memsw
if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then echo yes; fi

section apparmor
show /sys/module/apparmor/parameters/enabled || true

section commands
for name in apparmor_parser zfs zpool; do
	if command -v "$name" >/dev/null 2>&1; then echo "$name"; fi
done

section devices
if [ -c /dev/zfs ]; then echo /dev/zfs; fi

section filesystems
show /proc/filesystems || true

# The key limit and the bridge driver's forwarding sysctls, in one process:
# grep reads each file whole from offset 0 (see show) and names it on its
# line ("/proc/sys/net/ipv4/ip_forward:1"). A missing file (IPv6 disabled)
# just has no line.
section sysctls
grep -H . /proc/sys/kernel/keys/root_maxkeys /proc/sys/net/ipv4/ip_forward \
	/proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv6/conf/default/forwarding 2>/dev/null || true

section cmdline
show /proc/cmdline || true

section virtualization
if [ -f /.dockerenv ]; then echo "container=docker"; fi
if [ -f /run/.containerenv ]; then echo "container=podman"; fi
if grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null; then echo "vm=yes"; fi
section init
show /proc/1/comm || true

section engine-source
# tk:include lib/engine-source.sh

section end
