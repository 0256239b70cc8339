# apt_detached COMMAND...: runs a package operation (apt-get install, purge)
# so that a lost connection never stops it half-way. Killed mid-unpack by a
# broken pipe (tk killed, a laptop asleep, the network cut), apt would leave
# dpkg "interrupted" and the engine half-installed. The operation ignores
# hangups and broken pipes and writes to a log file on the host instead of
# the connection; the log is printed when it is done (the caller's script
# must ignore HUP and PIPE too, to get that far). Returns its exit code.
apt_detached() {
	apt_log=$(mktemp /tmp/tk-apt.XXXXXX 2>/dev/null) || apt_log=
	if [ -z "$apt_log" ]; then
		"$@" 8<&-
		return
	fi
	# Not the detached lock (fd 8) either: a daemon a maintainer script starts would keep it.
	(
		trap '' HUP PIPE INT
		exec "$@" 8<&-
	) > "$apt_log" 2>&1 < /dev/null &
	apt_code=0
	wait "$!" || apt_code=$?
	cat "$apt_log" 2>/dev/null || true
	rm -f "$apt_log"
	return "$apt_code"
}
