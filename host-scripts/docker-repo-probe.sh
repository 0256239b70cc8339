#!/bin/sh
# Reads what an apt repository in Docker's layout serves this host, writing
# nothing outside a temporary directory: the host's architecture, the
# Architectures and Components of the suite's Release file, and the versions
# of the given packages in COMPONENT/binary-ARCH. Nothing here is trusted
# beyond choosing versions: apt checks the repository's signature when it
# installs them. Fetches with apt's own apt-helper, so apt's proxy settings
# apply, and through the workstation (TK_APT_PROXY, lib/apt-via.sh) when
# tk fetches that way. $1: the repository URI (BASE/DISTRO); $2: the suite (codename);
# $3: the component (channel); then the package names.
# Output: @@tk:arch, @@tk:release (its two lines, or "missing" and apt's
# last message), @@tk:offered ("PACKAGE VERSION" lines), @@tk:end.
set -eu
export LC_ALL=C
# tk:include lib/apt-via.sh
uri=$1
suite=$2
component=$3
shift 3
arch=$(dpkg --print-architecture)
echo "@@tk:arch"
echo "$arch"
dir=$(mktemp -d /tmp/tk-repo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fetch() {
	# shellcheck disable=SC2086
	/usr/lib/apt/apt-helper -o APT::Sandbox::User=root -o Acquire::Retries=0 $apt_via download-file "$1" "$2" > "$dir/log" 2>&1
}
echo "@@tk:release"
if fetch "$uri/dists/$suite/Release" "$dir/Release"; then
	grep -E '^(Architectures|Components):' "$dir/Release" || true
else
	echo "missing $(grep -v '^ *$' "$dir/log" | tr '\n' ' ')"
	echo "@@tk:end"
	exit 0
fi
echo "@@tk:offered"
index=
for name in Packages.gz Packages; do
	if fetch "$uri/dists/$suite/$component/binary-$arch/$name" "$dir/$name"; then
		index=$name
		break
	fi
done
if [ "$index" = Packages.gz ]; then gzip -dc "$dir/Packages.gz" > "$dir/index"
elif [ "$index" = Packages ]; then mv "$dir/Packages" "$dir/index"
else : > "$dir/index"; fi
awk -v want=" $* " '/^Package: / {name = $2} /^Version: / {if (index(want, " " name " ")) print name, $2}' "$dir/index"
echo "@@tk:end"
