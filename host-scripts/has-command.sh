# Exit 0 when a command is on the PATH, root's sbin directories included, as
# on the local host (the host interface's hasCommand).
# $1: the command's name.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH
command -v "$1" >/dev/null 2>&1
