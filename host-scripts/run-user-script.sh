# Runs a user's shell provisioner: the script arrives on stdin, is kept in a
# private temporary file for the run and removed afterwards. Its #! line is
# honoured the way the kernel does it (the interpreter, then the rest of the
# line as one argument, then the file), but without executing the file
# itself, so a /tmp mounted noexec (a common hardening) does not stop it;
# without a #! line sh runs it. Its environment is exported by the lines tk
# puts before this script, which travel on stdin too, never in argv.
# $1: working directory.
set -eu
umask 077
t=$(mktemp "${TMPDIR:-/tmp}/tk-shell.XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
cd "$1" 2>/dev/null || cd /
umask 022
first=$(head -n 1 "$t")
set +e
case $first in
	'#!'*)
		line=${first#??}
		line=${line#"${line%%[! 	]*}"}
		interpreter=${line%%[ 	]*}
		argument=${line#"$interpreter"}
		argument=${argument#"${argument%%[! 	]*}"}
		argument=${argument%"${argument##*[! 	]}"}
		if [ -n "$argument" ]; then "$interpreter" "$argument" "$t" </dev/null; else "$interpreter" "$t" </dev/null; fi ;;
	*) sh "$t" </dev/null ;;
esac
code=$?
exit $code
