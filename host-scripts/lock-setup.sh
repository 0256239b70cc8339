#!/bin/sh
# Sets up tk's lock files on this host (lib/lock-files.sh): the tk group,
# /var/lib/tk, up.lock and detached.lock as 0660 root:tk, those of an
# earlier tk (0644, which anyone could hold) replaced; and the login user
# tk runs as made a member of the tk group, so that its runs take the lock
# without sudo. Runs as root, when the login user could not take the lock.
# $1: the login user ("" or root: none to add).
# $2: seconds to wait for a run holding an old lock file.
# Prints "joined" when it added the user to the group (the user's next
# login has it). Exits 4 when an old lock file stayed held too long.
set -eu
# tk:include lib/lock-files.sh
umask 022
tk_lock_group
mkdir -p /var/lib/tk
tk_lock_file /var/lib/tk/up.lock "$2" || exit 4
tk_lock_file /var/lib/tk/detached.lock "$2" || exit 4
if [ -n "$1" ] && [ "$1" != root ] && ! id -nG "$1" | tr ' ' '\n' | grep -qx tk; then
	usermod -aG tk "$1"
	echo joined
fi
