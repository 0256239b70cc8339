# Installs the engine from an offline bundle kept on the host
# (/var/lib/tk/bundles/SHA256, bundle-receive.sh): $1 is its directory, the
# rest the packages to install (NAME or NAME=VERSION). apt sees only the
# bundle's repository, through a temporary sources list and lists directory
# removed afterwards, and checks its signed index against the bundle's key
# (Signed-By): the host's own sources are neither read nor changed, and
# nothing is fetched from the network. Otherwise as install-engine-apt.sh:
# non-interactive, waits for another apt, survives a lost connection.
# TK_ENGINE_PIN (method docker bundles): PACKAGE=VERSION pairs pinned at
# priority 1001 before the install (lib/engine-pin.sh), as
# docker-repo-install.sh pins them.
set -eu
trap '' HUP PIPE
# tk:include lib/detached-lock.sh
hold_detached_lock
# tk:include lib/apt-update.sh
# tk:include lib/apt-detached.sh
# tk:include lib/engine-pin.sh
export DEBIAN_FRONTEND=noninteractive
bundle=$1
shift
work=$(mktemp -d /var/lib/tk/apt-bundle.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
mkdir "$work/lists" "$work/lists/partial" "$work/sources.list.d"
echo "deb [signed-by=$bundle/key.asc] file:$bundle/repo ./" > "$work/sources.list"
APT="apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dir::Etc::sourcelist=$work/sources.list -o Dir::Etc::sourceparts=$work/sources.list.d -o Dir::State::Lists=$work/lists -o Acquire::Languages=none -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
apt_update $APT
if [ -n "${TK_ENGINE_PIN:-}" ]; then
	# shellcheck disable=SC2086
	write_engine_pin $TK_ENGINE_PIN
fi
# shellcheck disable=SC2086
apt_detached $APT install --no-install-recommends "$@"
