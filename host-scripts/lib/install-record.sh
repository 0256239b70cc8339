# record_install: remembers how tk installed the engine's packages, for tk
# status, when TK_INSTALL_RECORD says (space-separated key=value, e.g.
# "via=workstation"): /var/lib/tk/engine-install, one key=value a line,
# readable by all (it holds no secret). A failure to write it is not the
# install's failure.
record_install() {
	[ -n "${TK_INSTALL_RECORD:-}" ] || return 0
	(
		umask 022
		mkdir -p /var/lib/tk &&
			printf '%s\n' $TK_INSTALL_RECORD > /var/lib/tk/engine-install.tmp &&
			mv -f /var/lib/tk/engine-install.tmp /var/lib/tk/engine-install
	) 2>/dev/null || true
}
