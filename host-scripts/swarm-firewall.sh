#!/bin/sh
# Which firewalls filter this host's own traffic, a name a line (nftables,
# iptables, ufw, firewalld), for tk up's swarm port check before a join.
# Run as root; read-only. The engine's own rules do not count: they are in
# the forward and nat paths, while these are the filter chains on the input
# and output hooks, with a rule or a policy other than accept.
set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

if command -v ufw >/dev/null 2>&1 && ufw status 2>/dev/null | grep -q '^Status: active'; then
	echo ufw
fi
if command -v firewall-cmd >/dev/null 2>&1 && [ "$(firewall-cmd --state 2>/dev/null)" = running ]; then
	echo firewalld
fi
if command -v nft >/dev/null 2>&1; then
	# A chain "type filter hook input|output" that holds a rule or drops by policy.
	nft list ruleset 2>/dev/null | awk '
		/^[[:space:]]*chain / { inchain = 1; hooked = 0; next }
		inchain && /type filter hook (input|output)/ { hooked = 1; if ($0 ~ /policy drop/) found = 1; next }
		inchain && /^[[:space:]]*}/ { inchain = 0; hooked = 0; next }
		inchain && hooked && NF > 0 { found = 1 }
		END { if (found) print "nftables" }
	'
elif command -v iptables >/dev/null 2>&1; then
	for chain in INPUT OUTPUT; do
		iptables -S "$chain" 2>/dev/null
	done | awk '/^-P (INPUT|OUTPUT) (DROP|REJECT)/ || /^-A / { found = 1 } END { if (found) print "iptables" }'
fi
exit 0
