# "RAWMODE SIZE" of what a path leads to, symlinks followed (the host
# interface's stat; the raw mode in hex, as stat prints %f); exit 44 when
# nothing is at the path.
# $1: the path.
p=$1
[ -e "$p" ] || exit 44
exec stat -L -c '%f %s' -- "$p"
