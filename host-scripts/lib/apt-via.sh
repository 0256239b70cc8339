# apt_via: apt options that send tk's own apt fetches through the
# workstation's package proxy, when TK_APT_PROXY names it (an SSH remote
# forward on this host's loopback, open only while tk runs: see
# src/fetch/workstation-fetch.ts). On the command line only: nothing is
# written to the host's apt configuration. Empty otherwise.
apt_via=
if [ -n "${TK_APT_PROXY:-}" ]; then
	apt_via="-o Acquire::http::Proxy=$TK_APT_PROXY -o Acquire::https::Proxy=$TK_APT_PROXY"
fi
