# tk bootstrap --harden, as root: password and root logins off through an
# sshd drop-in named to be read before any other (sshd keeps the first value
# it reads for most keywords, so a provider's 50-cloud-init.conf, or even a
# 00-provider.conf, saying "PasswordAuthentication yes" must come after it).
# The drop-in is checked with sshd -t before sshd reloads and confirmed with
# sshd -T after; any failure puts the previous state back (and reloads), so
# the host stays reachable as it was.
# $1: check (say what would change), apply, undo (put back what apply
# replaced, and reload) or commit (forget what apply replaced, once a fresh
# key login proved the change); $2: "invalid" makes the drop-in invalid (the test
# hook TK_TEST_BOOTSTRAP_INVALID_SSHD_DROPIN, for tk's rollback test only).
# Prints "harden ok|change|would DETAIL". Exit 9: refused or undone, the reason on stderr.
set -eu
mode=$1 hook=${2:-}
dir=/etc/ssh/sshd_config.d
dropin=$dir/00-00-tk-bootstrap.conf
backup=/etc/ssh/.tk-bootstrap-harden.previous
want='# Written by tk bootstrap --harden: keys only, no root login. Read before the other drop-ins: sshd keeps the first value it reads.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no'
umask 022

refuse() { echo "$*" >&2; exit 9; }

reload_sshd() {
	if systemctl is-active --quiet ssh.service 2>/dev/null; then systemctl reload ssh.service
	elif systemctl is-active --quiet sshd.service 2>/dev/null; then systemctl reload sshd.service
	elif [ -f /run/sshd.pid ]; then kill -HUP "$(cat /run/sshd.pid)"
	fi
	# A socket-activated sshd (ssh.socket) reads its configuration afresh for each connection.
}

# What sshd -T makes of the three settings that must be off, as "keyword value" lines.
effective() {
	sshd -T 2>/dev/null | grep -Ei '^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin) ' | sort
}
WANTED='kbdinteractiveauthentication no
passwordauthentication no
permitrootlogin no'

undo() {
	if [ -f "$backup" ]; then mv -f "$backup" "$dropin"; else rm -f "$dropin"; fi
	reload_sshd
}

if [ "$mode" = undo ]; then
	undo
	exit 0
fi
if [ "$mode" = commit ]; then
	rm -f "$backup"
	exit 0
fi

command -v sshd >/dev/null 2>&1 || refuse "sshd is not installed where tk looks (PATH); nothing was changed"
# sshd_config must read the drop-ins before it sets any of the three itself, or its own values win.
main=/etc/ssh/sshd_config
first_set=$(grep -nEi '^[[:space:]]*(PasswordAuthentication|KbdInteractiveAuthentication|ChallengeResponseAuthentication|PermitRootLogin|Match)[[:space:]]' "$main" | head -n 1 | cut -d: -f1)
include=$(grep -nEi "^[[:space:]]*Include[[:space:]]+($dir|sshd_config\.d)/\*\.conf" "$main" | head -n 1 | cut -d: -f1)
[ -n "$include" ] || refuse "$main does not include $dir/*.conf, so a drop-in there has no effect: nothing was changed (add 'Include $dir/*.conf' at its top)"
if [ -n "$first_set" ] && [ "$first_set" -lt "$include" ]; then
	refuse "$main sets $(sed -n "${first_set}p" "$main" | awk '{print $1}') on line $first_set, before it includes $dir/*.conf on line $include, so its own value would win: nothing was changed"
fi

if [ -f "$dropin" ] && [ "$(cat "$dropin")" = "$want" ] && [ "$(effective)" = "$WANTED" ]; then
	echo "harden ok $dropin in place; sshd -T: password and keyboard-interactive logins off, no root login"
	exit 0
fi
if [ "$mode" = check ]; then
	echo "harden would write $dropin (password and root logins off), check it with sshd -t, reload sshd, confirm with sshd -T"
	exit 0
fi

rm -f "$backup"
[ ! -f "$dropin" ] || cp -p "$dropin" "$backup"
staged=$(mktemp "$dir/.tk-bootstrap.XXXXXX")
printf '%s\n' "$want" >"$staged"
[ "$hook" != invalid ] || printf 'TkBootstrapTestInvalidKeyword yes\n' >>"$staged"
chmod 644 "$staged"
mv -f "$staged" "$dropin"
if ! out=$(sshd -t 2>&1); then
	if [ -f "$backup" ]; then mv -f "$backup" "$dropin"; else rm -f "$dropin"; fi
	refuse "sshd -t refused the configuration with $dropin, which was removed again before any reload (sshd runs as before): $(printf '%s' "$out" | head -n 3 | tr '\n' ' ')"
fi
reload_sshd
got=$(effective)
if [ "$got" != "$WANTED" ]; then
	undo
	refuse "after the reload sshd -T still says: $(printf '%s' "$got" | tr '\n' ',' | sed 's/,$//; s/,/, /g') (a Match block or another file sets them first?); $dropin was removed again and sshd reloaded as before"
fi
echo "harden change $dropin written, checked with sshd -t, sshd reloaded; sshd -T: password and keyboard-interactive logins off, no root login"
