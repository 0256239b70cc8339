# replace_engine_packages APT -- PACKAGE...: the switch between Debian's
# docker.io and Docker's docker-ce (tk provision, method docker or distro),
# for the packages of the engine being left, TK_ENGINE_REPLACE (names,
# space-separated, dependents first; those not installed are skipped). The new packages are downloaded first (a failure there
# changes nothing); then each old package is purged with its data-destroying
# hook neutralised; then the new ones are installed from apt's cache.
#
# The hook: docker.io's prerm, on remove, copies
# /usr/share/docker.io/contrib/nuke-graph-directory.sh to
# /var/lib/docker/nuke-graph-directory.sh, and its postrm, on purge, runs
# that copy on /var/lib/docker. Left in dpkg's "rc" state (what apt does
# when docker-ce's Conflicts make it remove docker.io), a later
# `apt-get purge docker.io` by anyone would wipe the new engine's images,
# containers, volumes and swarm state. So each package is removed (the copy
# is made), the copy deleted, then purged: its postrm finds no hook to run,
# and the package is gone from dpkg altogether, so no later purge can run
# anything. Nothing is put back.
# Each step checked by hand: called in an || list, the function runs without set -e.
purge_engine_package() {
	state=$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null) || state=not-installed
	case $state in not-installed | '') return 0 ;; esac
	if [ "$state" != config-files ]; then
		dpkg --remove "$1" || return $?
	fi
	rm -f /var/lib/docker/nuke-graph-directory.sh || return $?
	dpkg --purge "$1" || return $?
	echo "@@tk:purged $1"
}

# After the install: any old package apt itself removed meanwhile (a
# dependent tk did not name) is left "rc"; purged the same way.
finish_engine_replace() {
	for old in ${TK_ENGINE_REPLACE:-}; do
		if [ "$(dpkg-query -W -f '${db:Status-Status}' "$old" 2>/dev/null || true)" = config-files ]; then
			purge_engine_package "$old" || return $?
		fi
	done
	rm -f /var/lib/docker/nuke-graph-directory.sh
}

replace_engine_packages() {
	replace_apt=$1
	shift
	# shellcheck disable=SC2086
	apt_detached $replace_apt install --download-only --no-install-recommends "$@" || return $?
	for old in ${TK_ENGINE_REPLACE:-}; do
		purge_engine_package "$old" || return $?
	done
}
