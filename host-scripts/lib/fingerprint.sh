# A host's fingerprint for tk up's quick run (up-converged.sh, up-record.sh):
# tk_fingerprint prints all of it but state.json's line, which tk_state_print
# prints (after the full check that records it, state.json is written anew:
# the record takes that line from the file as written). The format is the
# record's: change it and every host's next run is a full one.
# A process from its /proc/PID/stat fields: pid, (name), start time since boot.
tk_process() {
	printf 'dockerd %s %s %s\n' "$1" "$2" "${22}"
}
tk_fingerprint() {
	if read -r tk_boot < /proc/sys/kernel/random/boot_id; then printf 'boot %s\n' "$tk_boot"; fi
	# The engine's process: the same pid started at the same time is the same run of dockerd.
	# dockerd writes its pid file without a newline: read says "no line", but has read it.
	tk_pid=
	{ read -r tk_pid < /run/docker.pid; } 2>/dev/null || true
	if [ -n "$tk_pid" ] && [ -r "/proc/$tk_pid/stat" ] && read -r tk_stat < "/proc/$tk_pid/stat"; then
		# Its fields as a function's arguments: tk_fingerprint's own are the paths below.
		set -f
		# shellcheck disable=SC2086
		tk_process $tk_stat
		set +f
	else
		echo 'dockerd none'
	fi
	# What tk check and the engine's steps read from /proc besides the files below (one digit each: read
	# takes a byte at a time, and these answer a read from offset 0). Not the kernel's modules: they are
	# loaded as containers and networks need them (by any container on a shared kernel), so a module
	# more says nothing; one a running engine uses cannot be unloaded, and a reboot is the boot id.
	for tk_sysctl in net/ipv4/ip_forward net/ipv6/conf/all/forwarding net/ipv6/conf/default/forwarding; do
		if read -r tk_value < "/proc/sys/$tk_sysctl"; then printf 'sysctl %s %s\n' "$tk_sysctl" "$tk_value"; fi
	done 2>/dev/null
	# The files the full check reads (and the directories whose entries it lists), then the provisioners'.
	# Errors come first (stat's stdout is buffered), in the order given: a missing file is part of the print.
	LC_ALL=C stat -c '%n %i %s %.9Y %.9Z %f %u %g' -- \
		/etc/os-release /usr/lib/os-release /var/lib/dpkg/status \
		/etc/apt/sources.list /etc/apt/sources.list.d /etc/apt/sources.list.d/* /etc/apt/preferences.d /etc/apt/preferences.d/* /etc/apt/keyrings /etc/apt/keyrings/* \
		/etc/docker /etc/docker/daemon.json /etc/default/docker /etc/group /etc/passwd \
		/etc/systemd/system /etc/systemd/system/multi-user.target.wants /etc/systemd/system/sockets.target.wants \
		/etc/systemd/system/docker.service /etc/systemd/system/docker.socket /etc/systemd/system/docker.service.d \
		/lib/systemd/system/docker.service /lib/systemd/system/docker.socket /etc/modules-load.d \
		/usr/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/local/lib/docker/cli-plugins \
		/usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin \
		/var/lib/tk/spec.key "$@" 2>&1
}
tk_state_print() {
	LC_ALL=C stat -c '%n %i %s %.9Y %.9Z %f %u %g' -- /var/lib/tk/state.json 2>&1
}
