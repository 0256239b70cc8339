#!/bin/sh
# Asks the host's dockerd whether a candidate daemon.json (on stdin) is
# valid, without writing /etc/docker/daemon.json or touching the daemon.
# dockerd --validate exists from engine 23.0 on; some builds (Debian's 26.1)
# exit 0 even for a file they reject, so the verdict is read from the output.
# Exit: 0 valid, 3 rejected (dockerd's reason on stderr), 4 no --validate here.
set -eu
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
if ! dockerd --help 2>/dev/null | grep -q -e '--validate'; then
	echo "dockerd has no --validate" >&2
	exit 4
fi
candidate=$(mktemp /tmp/tk-daemon-json.XXXXXX)
trap 'rm -f "$candidate"' EXIT
cat > "$candidate"
if out=$(dockerd --validate --config-file "$candidate" 2>&1) && printf '%s\n' "$out" | grep -q 'configuration OK'; then
	echo "configuration OK"
	exit 0
fi
printf '%s\n' "$out" | sed "s#$candidate#daemon.json#g" | tail -n 5 >&2
exit 3
