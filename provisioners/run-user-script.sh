# Runs a user's shell provisioner: the script arrives on stdin, is kept in a
# private temporary file for the run (so its #! line is honoured; without one
# sh runs it) and removed afterwards. Its environment is exported by the lines
# tk puts before this script, which travel on stdin too, never in argv.
# $1: working directory.
set -eu
umask 077
t=$(mktemp "${TMPDIR:-/tmp}/tk-shell.XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
chmod 0700 "$t"
cd "$1" 2>/dev/null || cd /
umask 022
set +e
"$t" </dev/null
code=$?
exit $code
