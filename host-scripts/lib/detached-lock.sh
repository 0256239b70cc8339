# hold_detached_lock: for as long as this script runs, holds
# /var/lib/tk/detached.lock (flock on fd 8): the script goes on by itself
# when tk's connection is lost, and the next tk run, once it has the host's
# lock, waits for this one to finish (up-lock.sh) instead of changing the
# host under it. Waits for an earlier run's such script first. Runs as root;
# the file is 0660 root:tk (lib/lock-files.sh), for up-lock.sh as the login user.
# tk:include lib/lock-files.sh
hold_detached_lock() {
	mkdir -p /var/lib/tk
	tk_lock_group || true
	tk_lock_file /var/lib/tk/detached.lock 3600 || true
	if exec 8>>/var/lib/tk/detached.lock; then
		flock -w 3600 8 || true
	fi
}
