# Holds tk up's lock on this host for as long as tk keeps this command's
# stdin open: flock on fd 9, then cat reads stdin until tk closes it (or the
# connection dies, which closes it too), so a crashed run never leaves the
# host locked. Runs as the login user: flock needs only read access.
# $1: seconds to wait for another run's lock (0: do not wait).
# Exits 3 when the lock file is not there yet (tk makes it as root and retries).
# Prints "busy" (then the holder's line) while waiting, "locked" once held.
set -eu
lock=/var/lib/tk/up.lock
[ -r "$lock" ] || exit 3
exec 9<"$lock" || exit 3
if ! flock -n 9; then
  printf 'busy %s\n' "$(cat /var/lib/tk/up.owner 2>/dev/null || echo unknown)"
  [ "$1" -gt 0 ] || exit 4
  flock -w "$1" 9 || exit 4
fi
echo locked
exec cat >/dev/null
