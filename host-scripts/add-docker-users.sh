#!/bin/sh
# Adds users to the docker group, creating the group when it is missing.
# Arguments: the user names. Every user must exist already. Runs as root.
set -eu
for user in "$@"; do
	if ! id -u "$user" >/dev/null 2>&1; then
		echo "user $user does not exist on this host" >&2
		exit 3
	fi
done
getent group docker >/dev/null 2>&1 || groupadd --system docker
for user in "$@"; do
	usermod -aG docker "$user"
done
