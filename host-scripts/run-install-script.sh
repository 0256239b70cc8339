# Runs the engine install script of `tk provision --method script` as root:
# the script arrives on stdin and is kept in a private temporary file. With
# $1 (a sha256 in hex, from --script-sha256) the file's hash is checked
# first: on a mismatch nothing runs and the script exits 3 with one line.
# The script runs under sh, its stdin empty.
set -eu
umask 077
t=$(mktemp "${TMPDIR:-/tmp}/tk-install.XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
if [ -n "$1" ]; then
	got=$(sha256sum < "$t" | cut -d ' ' -f 1)
	if [ "$got" != "$1" ]; then
		echo "the install script's sha256 on the host is $got, not $1: nothing was run" >&2
		exit 3
	fi
fi
umask 022
set +e
sh "$t" </dev/null
exit $?
