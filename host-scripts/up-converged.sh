#!/bin/sh
# tk up's quick look at a host it found converged before: the host's
# fingerprint, what tk's full check reads its plan from as it stands now
# (the files' inodes, sizes, times and modes, not their contents: a change to
# a file changes its ctime, which only root can set back, and only by moving
# the clock), compared with the fingerprint recorded by the last full check
# that found nothing to change (/var/lib/tk/up.record, root:tk 0640: its first
# line is that check's account, the rest the fingerprint).
#   same fingerprint: prints "@@tk:converged" and the account, and exits 0:
#     the full check (the facts that follow this script) is not run; tk still
#     compares the account with tk.yml and asks the engine about containers;
#   otherwise: the full check runs next.
# Either way the fingerprint is printed first ("@@tk:fingerprint"), for tk to
# record after a full check that changed nothing; "@@tk:fingerprint-unusable"
# when it cannot be taken as this user (a path it may not look at).
# Runs as the login user, under the host's lock, with no stdin.
# $@: the paths of the provisioners' results (file provisioners' files).
# TK_FULL_CHECK=1 (tk up --full): the fingerprint only, never the account.
# Read-only.
tk_record=/var/lib/tk/up.record
# tk:include lib/fingerprint.sh
tk_print=$(tk_fingerprint "$@"; tk_state_print; echo end)
tk_usable=yes
tk_why=
while IFS= read -r tk_line; do
	case $tk_line in
		'stat: '*': No such file or directory') ;;
		'stat: '*)
			tk_usable=no
			tk_why=$tk_line
			;;
	esac
done <<EOF
$tk_print
EOF
if [ "$tk_usable" = no ]; then
	# What could not be looked at (the last such line), for tk to say why the run is a full check.
	printf '@@tk:fingerprint-unusable\n%s\n' "$tk_why"
else
	printf '@@tk:fingerprint\n%s\n' "$tk_print"
fi
# The account is taken only when the fingerprint is the same and the next quick run can say so (up.last).
if [ "$tk_usable" = yes ] && [ "${TK_FULL_CHECK:-}" != 1 ] && [ -r "$tk_record" ] && [ -w /var/lib/tk/up.last ]; then
	tk_stored=
	tk_account=
	{
		IFS= read -r tk_account
		while IFS= read -r tk_line; do tk_stored=${tk_stored:+$tk_stored
}$tk_line; done
	} < "$tk_record"
	if [ -n "$tk_account" ] && [ "$tk_stored" = "$tk_print" ]; then
		printf '@@tk:converged\n%s\n' "$tk_account"
		exit 0
	fi
fi
