#!/bin/sh
# The slow queries of engine-facts.sh, started in the background before
# check-facts.sh runs, so that they run while it does: the engine's units
# from systemctl and its packages from dpkg-query (each a few ms of process
# start-up), and, unless tk asks the engine's API itself over the connection
# (TK_ENGINE_API=1), the docker CLI (~0.1 s of start-up, plugins and all).
# host-facts.sh sends engine-facts-start.sh, check-facts.sh and
# engine-facts.sh as one script, in that order; engine-facts.sh reads each with `fact NAME QUERY`,
# which runs the query there and then when it could not be started here
# (no temporary directory). Read-only.

# tk:include lib/facts-sections.sh

# One systemctl call for both units: a block of properties per unit, ExecStart for the daemon section.
units_query() {
	systemctl show -p Id -p ActiveState -p UnitFileState -p MainPID -p ExecMainStartTimestamp -p ExecStart docker.service docker.socket 2>/dev/null | awk '
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
		}'
}

# Engine packages known to dpkg, with versions: docker.io, Docker's own docker-ce, and the parts the engine needs.
packages_query() {
	dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' \
		docker.io docker-cli docker-ce docker-ce-cli docker-ce-rootless-extras containerd containerd.io runc tini \
		docker-compose docker-compose-plugin docker-buildx docker-buildx-plugin 2>/dev/null | awk '$3 ~ /^.i/ { print $1, $2 }'
}

# One docker call: the server's version comes with info.
engine_query() {
# tk:include lib/engine-info.sh
}

tk_facts_dir=$(mktemp -d 2>/dev/null) || tk_facts_dir=

# fact_start NAME QUERY: QUERY's output goes to a file of its own, in the background.
fact_start() {
	[ -n "$tk_facts_dir" ] || return 0
	"$2" > "$tk_facts_dir/$1" 2>/dev/null &
	eval "tk_fact_pid_$1=\$!"
}

# fact_wait NAME: waits for NAME's query, when it was started.
fact_wait() {
	eval "tk_fact_pid=\${tk_fact_pid_$1:-}"
	if [ -n "$tk_fact_pid" ]; then wait "$tk_fact_pid" 2>/dev/null || true; fi
}

# fact NAME QUERY: what NAME's query printed; QUERY runs now when it could
# not be started.
fact() {
	if [ -n "$tk_facts_dir" ]; then
		fact_wait "$1"
		show "$tk_facts_dir/$1" || true
	else
		"$2"
	fi
}

if [ -d /run/systemd/system ]; then fact_start units units_query; fi
if command -v dpkg-query >/dev/null 2>&1; then fact_start packages packages_query; fi
if [ "${TK_ENGINE_API:-}" != 1 ] && [ -S /var/run/docker.sock ] && command -v docker >/dev/null 2>&1; then
	if [ -n "$tk_facts_dir" ]; then fact_start engine engine_query; else engine_query_now=yes; fi
fi
