# apt_detached COMMAND...: runs a package operation (apt-get install, purge)
# so that a lost connection never stops it half-way. Killed mid-unpack by a
# broken pipe (tk killed, a laptop asleep, the network cut), apt would leave
# dpkg "interrupted" and the engine half-installed. The operation ignores
# hangups and broken pipes and writes to a log file on the host instead of
# the connection; the log is printed when it is done (the caller's script
# must ignore HUP and PIPE too, to get that far). Returns its exit code.
# With TK_APT_PROGRESS set, apt's own progress (APT::Status-Fd: files
# fetched, packages unpacked and configured) is written to a file too and
# followed meanwhile: each line is printed as it comes, marked
# "tk-apt-progress ", before the log. Following it is only reading a file:
# a lost connection ends the reading, never apt.
apt_detached() {
	apt_log=$(mktemp /tmp/tk-apt.XXXXXX 2>/dev/null) || apt_log=
	if [ -z "$apt_log" ]; then
		"$@" 8<&-
		return
	fi
	apt_status=
	if [ -n "${TK_APT_PROGRESS:-}" ]; then apt_status=$(mktemp /tmp/tk-apt-status.XXXXXX 2>/dev/null) || apt_status=; fi
	# Not the detached lock (fd 8) either: a daemon a maintainer script starts would keep it.
	if [ -n "$apt_status" ]; then
		(
			trap '' HUP PIPE INT
			exec "$@" -o APT::Status-Fd=3 3> "$apt_status" 8<&-
		) > "$apt_log" 2>&1 < /dev/null &
	else
		(
			trap '' HUP PIPE INT
			exec "$@" 8<&-
		) > "$apt_log" 2>&1 < /dev/null &
	fi
	apt_pid=$!
	if [ -n "$apt_status" ]; then
		tail -s 0.3 -n +1 -f --pid="$apt_pid" "$apt_status" 2>/dev/null | sed -u -n 's/^\(dlstatus\|pmstatus\):/tk-apt-progress &/p' 8<&- || true
	fi
	apt_code=0
	wait "$apt_pid" || apt_code=$?
	cat "$apt_log" 2>/dev/null || true
	rm -f "$apt_log" ${apt_status:+"$apt_status"}
	return "$apt_code"
}
