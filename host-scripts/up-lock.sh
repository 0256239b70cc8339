# Holds tk's lock on this host for as long as tk keeps this command's
# stdin open and writes a line to it at least every $3 seconds (tk writes
# one every 15 s): flock on fd 9, then a loop that reads those lines, so a
# crashed or killed run (its connection closed) or one cut off for good (a
# laptop asleep, a network gone, which sshd may not notice for hours)
# never leaves the host locked. Runs as the login user, a member of the tk
# group: only root and the group may open the lock files.
# $1: seconds to wait for another run's lock (0: do not wait).
# $2: the holder's line (user@workstation (command) since TIME), written to
#     the owner file for whoever waits next, when the login user may write
#     it; tk writes it through sudo otherwise.
# $3: seconds without a line from tk after which the lock is let go.
# $4 (optional): a script to run as soon as the lock is held (the host's
#     facts), so that what tk plans from was read under the lock, in the same
#     round trip. Its output follows "locked"; a line "@@tk-lock:done-$5 CODE"
#     (after a newline of its own) ends it.
# Exits 3 when the lock file is not there yet or not this user's to open (tk
# sets it up as root, lock-setup.sh, and retries).
# Prints "busy" (then the holder's line) while waiting, then "locked" once
# held, "locked owner" when it wrote the owner file itself. Exits 5 when a
# "last" line (below) could not be written.
set -eu
lock=/var/lib/tk/up.lock
owner=/var/lib/tk/up.owner
# The lock file is 0660 root:tk (lib/lock-files.sh): one this user cannot
# write is missing, not open to it (not in the tk group, or not in this
# login's groups yet), or an earlier tk's 0644 one that anyone could hold.
# Root may write any file: its check is the file's mode. tk says whether the
# login user is root (tk_login_root=yes), which saves an id process.
if [ "${tk_login_root:-}" = yes ]; then
  [ -f "$lock" ] && [ "$(stat -c %a:%G "$lock")" = 660:tk ] || exit 3
else
  [ -r "$lock" ] && [ -w "$lock" ] || exit 3
fi
while :; do
  exec 9<"$lock" || exit 3
  if ! flock -n 9; then
    # One line of printable text: the file is not always root's, and must not speak for this script.
    holder=$(head -n 1 "$owner" 2>/dev/null | tr -cd '[:print:]' || true)
    printf 'busy %s\n' "${holder:-unknown}"
    [ "$1" -gt 0 ] || exit 4
    flock -w "$1" 9 || exit 4
  fi
  # Held: the file at the path, not one a run setting up the lock files replaced meanwhile.
  [ /dev/fd/9 -ef "$lock" ] && break
  exec 9<&-
done
# Work an earlier run left going on the host by itself (its connection lost
# half-way: an upgrade, an install, a daemon.json rollback) holds
# detached.lock until it is done (lib/detached-lock.sh): wait for it too.
if [ -r /var/lib/tk/detached.lock ]; then
  exec 8</var/lib/tk/detached.lock
  if ! flock -n 8; then
    printf 'busy %s\n' "an earlier run's work still going on on the host"
    [ "$1" -gt 0 ] || exit 4
    flock -w "$1" 8 || exit 4
  fi
  exec 8<&-
fi
if [ -w "$owner" ] && printf '%s\n' "$2" 2>/dev/null > "$owner"; then
  echo locked owner
else
  echo locked
fi
if [ -n "${4:-}" ]; then
  # The script must not hold the lock's descriptor, nor read tk's stdin; it runs in a subshell
  # (no new sh started), with the shell's options as sh -c would have them.
  code=0
  (
    set +eu
    eval "$4"
  ) 9<&- </dev/null || code=$?
  printf '\n@@tk-lock:done-%s %s\n' "$5" "$code"
fi
# Held while tk's lines come: read ends at tk's end of input, timeout when tk went silent.
# A line "last JSON" (a quick run's account: tk up found the host as its last full check left
# it) is written to up.last, for tk status, and is tk's last line: its exit code says whether it
# could be written (5: not). One reader for that line and the end of input: no process more.
while :; do
  code=0
  timeout "$3" sh -c '
    IFS= read -r line || exit 1
    case $line in
      "last "*)
        { printf "%s\n" "${line#last }" > /var/lib/tk/up.last; } 2>/dev/null || exit 5
        while IFS= read -r line; do :; done
        exit 6 ;;
    esac' 9<&- || code=$?
  [ "$code" = 0 ] || break
done
[ "$code" = 5 ] && exit 5
exit 0
