# apt_update APT-GET...: runs the given apt-get command line with "update",
# waiting for another apt to finish. apt-get update holds the lists lock,
# which DPkg::Lock::Timeout does not cover, and unattended-upgrades holds it
# on a server's first boot: retry every 3 s, up to 10 minutes; any other
# failure is printed on stderr at once. Returns non-zero when it gave up.
apt_update() {
	apt_update_tries=0
	while :; do
		if apt_update_out=$("$@" update 2>&1); then return 0; fi
		case $apt_update_out in
			*"Could not get lock"*|*"Unable to lock"*)
				apt_update_tries=$((apt_update_tries + 1))
				if [ "$apt_update_tries" -ge 200 ]; then echo "$apt_update_out" >&2; return 1; fi
				sleep 3 ;;
			*) echo "$apt_update_out" >&2; return 1 ;;
		esac
	done
}
