# write_engine_pin PACKAGE=VERSION...: pins each package at its version in
# /etc/apt/preferences.d/tk-docker-engine (priority 1001), so that the
# host's own apt-get upgrade keeps the engine at tk's choice; tk provision
# and tk upgrade write it. Written atomically, world-readable as apt needs.
write_engine_pin() {
	pin_file=/etc/apt/preferences.d/tk-docker-engine
	mkdir -p /etc/apt/preferences.d
	{
		echo "# Written by tk: the engine's packages stay at the versions tk chose."
		echo "# tk upgrade moves them (within the engine's version range) and rewrites this file."
		for pin_pair in "$@"; do
			printf '\nPackage: %s\nPin: version %s\nPin-Priority: 1001\n' "${pin_pair%%=*}" "${pin_pair#*=}"
		done
	} > "$pin_file.tk-new"
	chmod 0644 "$pin_file.tk-new"
	mv -f "$pin_file.tk-new" "$pin_file"
}
