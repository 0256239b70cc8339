#!/bin/sh
# What `tk status` shows about a host, in one round trip: the OS, the kernel,
# the engine's version and daemon state, the docker group and the last
# `tk up` (tk's state file). Read-only and needs no root. It runs on every
# host at every `tk status`, so it starts few processes: shell built-ins
# where they do, no docker CLI (see the engine section). Sections as in
# check-facts.sh, parsed by src/status/facts.ts.
set -eu
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

# tk:include lib/facts-sections.sh

section os
# The lines tk shows, picked by the shell: sourcing the file would run whatever is in it.
for file in /etc/os-release /usr/lib/os-release; do
	if [ -r "$file" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in PRETTY_NAME=* | NAME=* | VERSION_ID=*) printf '%s\n' "$line" ;; esac
		done < "$file"
		break
	fi
done

section kernel
kernel=
if [ -r /proc/sys/kernel/osrelease ]; then read -r kernel < /proc/sys/kernel/osrelease || true; fi
if [ -z "$kernel" ]; then kernel=$(uname -r); fi
printf '%s\n' "$kernel"

section user
printf '%s\n' "${USER:-${LOGNAME:-}}"

section init
# PID 1's name: without systemd there is no docker.service to ask or manage.
if [ -r /proc/1/comm ]; then read -r init < /proc/1/comm || true; printf '%s\n' "${init:-}"; fi

section docker-group
getent group docker 2>/dev/null || true

section engine
installed=
if command -v dockerd >/dev/null 2>&1; then installed=yes; echo installed=yes; fi
# Whether dockerd runs, without asking it: its pid file and /proc, else
# systemd. Asking a stopped daemon would start it when docker.socket is
# active, and a status must change nothing.
running=
pid=
if [ -r /var/run/docker.pid ]; then read -r pid < /var/run/docker.pid || true; fi
if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
	running=yes
	echo "pid=$pid"
elif [ -n "$installed" ] && [ -d /run/systemd/system ]; then
	unit=$(systemctl is-active docker.service 2>/dev/null || true)
	echo "unit=$unit"
	case $unit in active | reloading) running=yes ;; esac
fi
# The daemon's own answer is the truth about it, but only a user who may
# write to its socket (root, the docker group) can ask: test -w says so
# without a process. tk then asks it over this SSH connection (a
# stream-local channel to the socket: no process here at all, where the
# docker CLI costs ~0.1 s of start-up); with TK_STATUS_DOCKER_CLI=1, when
# the server forbids such channels, the docker CLI asks. -H skips any
# DOCKER_HOST or context of the login environment: this is about the host's
# own engine.
asking=
socket=/var/run/docker.sock
if [ -n "$running" ] && [ -S "$socket" ]; then
	if [ ! -w "$socket" ]; then
		echo access=denied
	elif [ "${TK_STATUS_DOCKER_CLI:-}" != 1 ]; then
		echo "socket=$socket"
		asking=yes
	elif command -v docker >/dev/null 2>&1; then
		asking=yes
		limit=
		if command -v timeout >/dev/null 2>&1; then limit="timeout 3"; fi
		if answer=$($limit docker -H "unix://$socket" version --format '{{.Server.Version}}' 2>&1); then
			# Warnings may come first; the version is the last line.
			echo "server=${answer##*
}"
		else
			# Its exit status (124: timed out) and last line say why.
			echo "exit=$?"
			echo "error=${answer##*
}"
		fi
	fi
fi

section packages
# The installed engine's version, when the daemon is not asked for it.
if [ -z "$asking" ] && [ -n "$installed" ]; then
	if command -v dpkg-query >/dev/null 2>&1; then
		dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' docker-ce docker.io moby-engine 2>/dev/null | while read -r name version status; do
			case $status in ?i*) echo "$name $version" ;; esac
		done || true
	elif command -v rpm >/dev/null 2>&1; then
		rpm -q --qf '%{NAME} %{VERSION}\n' docker-ce moby-engine docker 2>/dev/null | grep -v 'not installed' || true
	fi
fi

section engine-install
show /var/lib/tk/engine-install || true
section engine-source
# tk:include lib/engine-source.sh

section state
# echo: the file may not end in a newline, and the end marker must start a line.
if [ -r /var/lib/tk/state.json ]; then cat /var/lib/tk/state.json; echo; fi
# The last quick run of tk up (src/up/converged.ts), when one came after the state's.
section up-last
show /var/lib/tk/up.last || true
section end
