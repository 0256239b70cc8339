# A file's bytes on stdout (the host interface's readFile); exit 44 when
# nothing is at the path, so that "missing" is not mistaken for "empty".
# $1: the path.
p=$1
[ -e "$p" ] || exit 44
exec cat -- "$p"
