#!/bin/sh
# Gathers what `tk provision` needs to plan, in the same round trip as
# check-facts.sh (host-facts.sh sends engine-facts-start.sh, check-facts.sh
# and this as one script), reading what engine-facts-start.sh's background queries
# printed. Read-only. Sections as in check-facts.sh, parsed by
# src/facts/host-facts.ts.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

# tk:include lib/facts-sections.sh

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
fact packages packages_query

section binaries
for name in dockerd docker containerd runc docker-compose; do
	path=$(command -v "$name" 2>/dev/null || true)
	if [ -n "$path" ]; then echo "$name $path"; fi
done

section service
if [ -d /run/systemd/system ]; then
	# The unit lines of units_query, but ExecStart's, kept for the daemon section.
	# Waited for here, in this shell: the subshell below could not wait for it.
	fact_wait units
	execstart_raw=
	while IFS= read -r line; do
		case $line in
			execstart-raw=*) execstart_raw=${line#execstart-raw=} ;;
			*) printf '%s\n' "$line" ;;
		esac
	done <<UNITS
$(fact units units_query)
UNITS
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
# From the docker CLI only when engine-facts-start.sh started it, or found it
# could not (tk asks the engine's API itself otherwise).
if [ "${engine_query_now:-}" = yes ]; then engine_query; else fact engine :; fi

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

# The users a run would add to the docker group (TK_USERS, names tk checked):
# "NAME yes" when the host knows the user (passwd, LDAP: whatever id asks), "NAME no" when not.
section users
for user in ${TK_USERS:-}; do
	if id -u "$user" >/dev/null 2>&1; then echo "$user yes"; else echo "$user no"; fi
done

section modules
if [ -d /sys/module ]; then
	for name in overlay br_netfilter bridge veth nf_nat iptable_nat iptable_filter xt_conntrack xt_addrtype xt_MASQUERADE; do
		if [ -d "/sys/module/$name" ]; then echo "$name"; fi
	done
fi
# Every background query was read above: nothing is left running.
wait
[ -z "$tk_facts_dir" ] || rm -rf "$tk_facts_dir"
section engine-end
