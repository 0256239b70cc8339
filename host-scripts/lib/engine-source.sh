# How the installed engine came, without starting a process: "method=docker"
# (docker-ce) with the URIs, Suites and Components of tk's
# /etc/apt/sources.list.d/docker.sources, or "method=distro" (docker.io).
# Included by status-facts.sh and engine-facts.sh, inside a section.
if [ -e /var/lib/dpkg/info/docker-ce.list ]; then
	echo "method=docker"
	if [ -r /etc/apt/sources.list.d/docker.sources ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in URIs:* | Suites:* | Components:*) printf '%s\n' "$line" ;; esac
		done < /etc/apt/sources.list.d/docker.sources
	fi
elif [ -e /var/lib/dpkg/info/docker.io.list ]; then
	echo "method=distro"
fi
