#!/bin/sh
# Records what tk up's full check found, after one that changed nothing on the
# host (src/up/converged.ts): stdin is the check's account (one line) and the
# host's fingerprint as the check began, but state.json's line, taken here
# from the file just written. /var/lib/tk/up.record is root:tk 0640 (the
# account holds salted digests of tk.yml's values, some of them secrets);
# up.last, where quick runs leave their account for tk status, root:tk 0664.
# With $1 "forget" the record is removed instead (a full check that changed
# the host, or failed: the next run checks in full). Runs as root, under the
# host's lock, after the state is written.
set -eu
dir=/var/lib/tk
if [ "$1" = forget ]; then
	rm -f "$dir/up.record"
	exit 0
fi
# tk:include lib/fingerprint.sh
umask 027
t=$(mktemp "$dir/.up.record.XXXXXX")
trap 'rm -f "$t"' EXIT
{
	cat
	tk_state_print
	echo end
} > "$t"
chown root:tk "$t"
chmod 0640 "$t"
mv -f "$t" "$dir/up.record"
if [ ! -f "$dir/up.last" ] || [ -L "$dir/up.last" ] || [ "$(stat -c %a:%U:%G "$dir/up.last")" != 664:root:tk ]; then
	t=$(mktemp "$dir/.up.last.XXXXXX")
	chown root:tk "$t"
	chmod 0664 "$t"
	mv -f "$t" "$dir/up.last"
fi
trap - EXIT
