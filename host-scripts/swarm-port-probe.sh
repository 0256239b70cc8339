#!/bin/sh
# Whether this host can open TCP connections to the given ADDRESS PORT
# pairs, for tk up's swarm port check before a join: a line per pair that
# fails, "ADDRESS PORT timeout" or "ADDRESS PORT refused". Read-only, as the
# login user; bash's /dev/tcp with a 3 s timeout each, all at once.
# $@: ADDRESS PORT ADDRESS PORT ...
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
while [ $# -ge 2 ]; do
	(
		timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$1" "$2" 2>/dev/null
		case $? in
			0) ;;
			124) echo "$1 $2 timeout" ;;
			*) echo "$1 $2 refused" ;;
		esac
	) >>"$out" &
	shift 2
done
wait
cat "$out"
