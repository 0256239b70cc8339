#!/bin/sh
# Gathers what `tk provision` needs to plan, in the same round trip as
# check-facts.sh (the two are sent as one script). Read-only. Sections as in
# check-facts.sh, parsed by src/facts/host-facts.ts.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

section() { printf '@@tk:%s\n' "$1"; }

# The docker CLI is the slowest fact (~0.1 s of start-up alone, plugins and
# all): unless tk asks the engine's API itself over the connection
# (TK_ENGINE_API=1), ask it first, in the background, while everything else
# is gathered.
engine_info_pid=
if [ "${TK_ENGINE_API:-}" != 1 ] && [ -S /var/run/docker.sock ] && command -v docker >/dev/null 2>&1; then
	engine_info=$(mktemp 2>/dev/null || echo "/tmp/tk-engine-info.$$")
	# One docker call: the server's version comes with info.
	timeout 10 docker info --format 'server={{.ServerVersion}}
storage={{.Driver}} images={{.Images}} containers={{.Containers}} running={{.ContainersRunning}} live-restore={{.LiveRestoreEnabled}}
root-dir={{.DockerRootDir}}' > "$engine_info" 2>/dev/null &
	engine_info_pid=$!
fi


section whoami
# "uid=1000(admin) gid=... groups=...": one process for the name and the uid.
id

section init
if [ -d /run/systemd/system ]; then echo systemd
elif command -v rc-service >/dev/null 2>&1; then echo openrc
elif command -v service >/dev/null 2>&1; then echo sysv
else echo unknown
fi

section package-manager
for name in apt-get dnf yum zypper apk pacman; do
	if command -v "$name" >/dev/null 2>&1; then echo "$name"; break; fi
done

# Engine packages known to the package manager, with versions: docker.io,
# Docker's own docker-ce, and the parts the engine needs.
section packages
if command -v dpkg-query >/dev/null 2>&1; then
	dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' \
		docker.io docker-cli docker-ce docker-ce-cli containerd containerd.io runc tini \
		docker-compose docker-compose-plugin docker-buildx 2>/dev/null | awk '$3 ~ /^.i/ { print $1, $2 }'
fi

section binaries
for name in dockerd docker containerd runc docker-compose; do
	path=$(command -v "$name" 2>/dev/null || true)
	if [ -n "$path" ]; then echo "$name $path"; fi
done

section service
if [ -d /run/systemd/system ]; then
	# One systemctl call for both units: a block of properties per unit.
	# ExecStart comes along for the daemon section below, and the start time (no ps for it):
	# systemctl is slow to start, ask it once.
	status=$(systemctl show -p Id -p ActiveState -p UnitFileState -p MainPID -p ExecMainStartTimestamp -p ExecStart docker.service docker.socket 2>/dev/null | awk '
		BEGIN { RS = ""; FS = "\n" }
		{
			id = ""; active = ""; enabled = ""; mainpid = ""; started = ""; execstart = ""
			for (i = 1; i <= NF; i++) {
				key = $i; sub(/=.*/, "", key); value = substr($i, length(key) + 2)
				if (key == "Id") id = value
				else if (key == "ActiveState") active = value
				else if (key == "UnitFileState") enabled = value
				else if (key == "MainPID") mainpid = value
				else if (key == "ExecMainStartTimestamp") started = value
				else if (key == "ExecStart") execstart = value
			}
			print id " active=" active " enabled=" enabled
			if (id == "docker.service") {
				print "pid=" mainpid
				if (mainpid != "" && mainpid != 0) print "started=" started
				print "execstart-raw=" execstart
			}
		}')
	execstart_raw=
	while IFS= read -r line; do
		case $line in
			execstart-raw=*) execstart_raw=${line#execstart-raw=} ;;
			*) echo "$line" ;;
		esac
	done <<EOF
$status
EOF
elif [ -f /var/run/docker.pid ]; then
	pid=$(cat /var/run/docker.pid)
	if kill -0 "$pid" 2>/dev/null; then echo "pid=$pid"; echo "started=$(ps -o lstart= -p "$pid" 2>/dev/null)"; fi
fi

section cli-plugins
for dir in /usr/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/local/lib/docker/cli-plugins; do
	for plugin in "$dir"/*; do
		if [ -e "$plugin" ]; then echo "${plugin##*/}"; fi
	done
done

section engine
if [ -n "$engine_info_pid" ]; then
	wait "$engine_info_pid" 2>/dev/null || true
	cat "$engine_info" 2>/dev/null || true
	rm -f "$engine_info"
fi

# What planning a daemon.json change needs: the file, dockerd's version and
# whether it can --validate a file, the unit's command line (flags there may
# not be repeated in the file) and $DOCKER_OPTS from /etc/default/docker.
section daemon
# dockerd itself is slow to start (~0.1 s a call): asked only when daemon options are to be planned.
if [ "${TK_DAEMON_FACTS:-}" = 1 ] && command -v dockerd >/dev/null 2>&1; then
	echo "dockerd=$(dockerd --version 2>/dev/null | head -n 1)"
	if dockerd --help 2>/dev/null | grep -q -e '--validate'; then echo "validate=yes"; else echo "validate=no"; fi
fi
if [ -d /run/systemd/system ]; then
	# "{ path=... ; argv[]=/usr/bin/dockerd -H fd:// ... ; ignore_errors=no ; ... }": the argv part.
	argv=${execstart_raw#*argv\[\]=}
	if [ "$argv" = "$execstart_raw" ]; then argv=; else argv=${argv%% ;*}; fi
	echo "execstart=$argv"
fi
if [ -r /etc/default/docker ]; then
	echo "docker-opts=$( (. /etc/default/docker >/dev/null 2>&1; printf '%s' "${DOCKER_OPTS:-}") )"
fi
section daemon-json
# A hardened host may keep the file root's alone (0600): read it through sudo
# then, and say "unreadable" when that fails too, never "empty".
if [ -f /etc/docker/daemon.json ]; then
	if [ -r /etc/docker/daemon.json ]; then
		echo present
		base64 < /etc/docker/daemon.json
	elif daemon_json=$(sudo -n base64 /etc/docker/daemon.json 2>/dev/null); then
		echo present
		printf '%s\n' "$daemon_json"
	else
		echo unreadable
	fi
fi

section docker-group
getent group docker 2>/dev/null || true

section modules
if [ -d /sys/module ]; then
	for name in overlay br_netfilter bridge veth nf_nat iptable_nat iptable_filter xt_conntrack xt_addrtype xt_MASQUERADE; do
		if [ -d "/sys/module/$name" ]; then echo "$name"; fi
	done
fi
section engine-end
