# tk's lock files (/var/lib/tk/up.lock, detached.lock) open only to root and
# the tk group's members (0660 root:tk): anyone who can open a lock file can
# hold it, and so block every tk run. Runs as root.
#
# tk_lock_group: makes the tk group (a system group) when it is missing.
tk_lock_group() {
	getent group tk >/dev/null 2>&1 || groupadd --system tk
}

# tk_lock_file PATH SECONDS: makes the lock file PATH, or turns one an
# earlier tk made (0644 root:root) into a new one: a new file moved over the
# old, so that a descriptor opened on the old one while anyone could open it
# holds nothing; done while holding the old file's lock (waiting up to
# SECONDS for a run that has it), so that no run loses its lock. Returns 4
# when the old file stayed locked that long, after naming on stderr who holds
# it (a user holding an old file to block tk shows up there).
tk_lock_file() {
	if [ -f "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %a:%U:%G "$1")" = 660:root:tk ]; then return 0; fi
	if [ -f "$1" ] && [ ! -L "$1" ]; then
		exec 7<"$1"
		if ! flock -w "$2" 7; then
			exec 7<&-
			tk_lock_holders "$1" >&2
			return 4
		fi
	fi
	tk_lock_new=$(mktemp "$1.XXXXXX")
	chown root:tk "$tk_lock_new"
	chmod 0660 "$tk_lock_new"
	mv -f "$tk_lock_new" "$1"
	exec 7<&-
}

# tk_lock_holders PATH: "PATH is held by process PID of USER", from /proc/locks.
tk_lock_holders() {
	tk_lock_inode=$(stat -c %i "$1")
	for tk_lock_pid in $(awk -v inode=":$tk_lock_inode " '$2 != "->" && index($0, inode) { print $5 }' /proc/locks 2>/dev/null | sort -u); do
		echo "$1 is held by process $tk_lock_pid of $(stat -c %U "/proc/$tk_lock_pid" 2>/dev/null || echo unknown)"
	done
}
