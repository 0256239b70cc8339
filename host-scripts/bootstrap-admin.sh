# tk bootstrap, as root: the admin user (home, shell), its public key in
# ~/.ssh/authorized_keys with the owner and modes sshd's StrictModes wants,
# and passwordless sudo through a drop-in that visudo -cf checks before it
# is moved into /etc/sudoers.d. Each step looks first and changes only what
# differs, so a second run changes nothing.
# $1: the admin's user name; $2: check (say what would change) or apply.
# stdin: the public key, one line. Prints "STEP ok|change|would DETAIL" per step.
# Exit 9: refused, the reason on stderr; nothing was changed by the refused step.
set -eu
user=$1 mode=$2
key=$(cat)
umask 077

say() { printf '%s %s %s\n' "$1" "$2" "$3"; }
# "change" when applying, "would" when only looking.
changing() { [ "$mode" = apply ] && echo change || echo would; }
refuse() { echo "$*" >&2; exit 9; }

command -v sudo >/dev/null 2>&1 || refuse "sudo is not installed: install it (apt-get install sudo) and run tk bootstrap again"
command -v visudo >/dev/null 2>&1 || refuse "visudo is not installed (it comes with sudo)"

# The user.
if entry=$(getent passwd "$user"); then
	say user ok "$user exists"
else
	[ "$mode" = apply ] && useradd --create-home --shell /bin/bash --user-group "$user"
	say user "$(changing)" "created $user (home /home/$user, shell /bin/bash)"
	entry=$(getent passwd "$user" || printf '%s:x:::%s:/home/%s:/bin/bash' "$user" "$user" "$user")
fi
home=$(printf '%s\n' "$entry" | cut -d: -f6)
group=$(id -gn "$user" 2>/dev/null || echo "$user")

# The key. Nothing is written through a link the user could have put there.
ssh=$home/.ssh
keys=$ssh/authorized_keys
for path in "$home" "$ssh" "$keys"; do
	[ ! -L "$path" ] || refuse "$path is a symbolic link: tk will not write through it"
done
key_changes=
if [ ! -d "$home" ]; then
	key_changes="created $home, "
	[ "$mode" = apply ] && install -d -m 750 -o "$user" -g "$group" "$home"
fi
if [ ! -d "$ssh" ] || [ "$(stat -c '%a %U' "$ssh")" != "700 $user" ]; then
	key_changes="$key_changes$ssh (700, $user), "
	[ "$mode" = apply ] && install -d -m 700 -o "$user" -g "$group" "$ssh" && chmod 700 "$ssh" && chown "$user:$group" "$ssh"
fi
if [ ! -f "$keys" ] || ! grep -qxF -- "$key" "$keys"; then
	key_changes="${key_changes}key added to $keys, "
	if [ "$mode" = apply ]; then
		[ -f "$keys" ] && [ -s "$keys" ] && [ "$(tail -c 1 "$keys" | od -An -c | tr -d ' ')" != '\n' ] && echo >>"$keys"
		printf '%s\n' "$key" >>"$keys"
	fi
fi
if [ "$mode" = apply ] || [ -f "$keys" ]; then
	if [ "$(stat -c '%a %U' "$keys")" != "600 $user" ]; then
		case $key_changes in *"$keys"*) ;; *) key_changes="$key_changes$keys (600, $user), " ;; esac
		[ "$mode" = apply ] && chmod 600 "$keys" && chown "$user:$group" "$keys"
	fi
fi
if [ -z "$key_changes" ]; then
	say key ok "the key is in $keys"
else
	say key "$(changing)" "${key_changes%, }"
fi

# Sudo. sudo skips drop-ins whose name holds a '.', so the staging file is never read as one.
dropin=/etc/sudoers.d/tk-bootstrap-$(printf '%s' "$user" | tr '.$' '__')
rule="$user ALL=(ALL:ALL) NOPASSWD: ALL"
if [ -f "$dropin" ] && [ "$(cat "$dropin")" = "$rule" ] && [ "$(stat -c '%a %U' "$dropin")" = "440 root" ]; then
	say sudo ok "$dropin allows $user sudo without a password"
else
	if [ "$mode" = apply ]; then
		staged=$(mktemp /etc/sudoers.d/.tk-bootstrap.XXXXXX)
		printf '%s\n' "$rule" >"$staged"
		chmod 440 "$staged"
		if ! out=$(visudo -cf "$staged" 2>&1); then
			rm -f "$staged"
			refuse "visudo -cf refused the sudo drop-in for $user, nothing was put in place: $out"
		fi
		mv -f "$staged" "$dropin"
	fi
	say sudo "$(changing)" "$dropin allows $user sudo without a password (checked with visudo -cf)"
fi
