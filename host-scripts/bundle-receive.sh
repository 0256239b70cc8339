# Keeps an offline bundle of the engine on the host, once: as
# /var/lib/tk/bundles/SHA256/ (the bundle file's sha256, $1), unpacked. With
# $2 = check, only says whether the host has it (exit 0) or not (exit 4),
# reading nothing. Otherwise the bundle arrives on stdin; its sha256 is
# checked before it is unpacked (exit 3 with one line on a mismatch), and the
# directory appears whole or not at all. Runs as root.
set -eu
umask 022
base=/var/lib/tk/bundles
dest="$base/$1"
if [ -f "$dest/.complete" ]; then echo present; exit 0; fi
if [ "${2:-}" = check ]; then echo absent; exit 4; fi
mkdir -p "$base"
chmod 0755 "$base"
work=$(mktemp -d "$base/.incoming.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cat > "$work/bundle.tar"
got=$(sha256sum < "$work/bundle.tar" | cut -d ' ' -f 1)
if [ "$got" != "$1" ]; then
	echo "the bundle's sha256 on the host is $got, not $1: nothing was installed" >&2
	exit 3
fi
mkdir "$work/content"
tar -x --no-same-owner --no-same-permissions -f "$work/bundle.tar" -C "$work/content"
chmod -R go-w,a+rX "$work/content"
touch "$work/content/.complete"
rm -rf -- "$dest"
mv "$work/content" "$dest"
echo received
