# Puts a file provisioner's changed files (a tar on stdin, or one file's
# bytes) into place as root, with their owner and, when tk.yml names one,
# their mode; never through a symbolic link, and never where a user other
# than root and the files' owner could steer the write
# (lib/enter-directory.sh). Every destination directory and file is checked
# before anything is written, and each directory is entered and checked again
# as its files go in. The files are unpacked and given their owner and mode
# in a fresh directory under /var/lib/tk/staging, which only root can enter,
# then renamed into place with mv -T (a rename replaces a link at the
# destination, it never follows one), so nothing on the host ever reads half
# a file. A destination on another filesystem than /var/lib/tk gets each
# file copied into a root-only directory beside it first, renamed from there.
# $1: destination directory; $2: OWNER[:GROUP]; $3: mode or ""; $4: tar or raw
# (one file's bytes); the rest: the files (relative to the destination directory).
# Exit 9: refused, the reason on stderr.
set -eu
dest=$1 owner=$2 mode=$3 format=$4
shift 4
umask 022
# tk:include lib/enter-directory.sh
set_owner "$owner"

# The directory of file $1 under the destination, and its base name.
place() {
	case $1 in
		*/*) dir=$dest/${1%/*} base=${1##*/} ;;
		*) dir=$dest base=$1 ;;
	esac
}

# First only look: a refusal leaves the host as it was.
last=
for f in "$@"; do
	place "$f"
	if [ "$dir" != "$last" ]; then
		enter_directory "$dir" check
		last=$dir
	fi
	[ -n "$ed_missing" ] || check_entry "$base" "$dest/$f"
done

staging=/var/lib/tk/staging
mkdir -p /var/lib/tk
[ ! -L "$staging" ] || refuse "$staging is a symbolic link"
[ -d "$staging" ] || mkdir -m 700 -- "$staging"
cd -P -- "$staging"
[ "$(pwd -P)" = "$staging" ] && [ "$(stat -c '%u %a' .)" = '0 700' ] || refuse "$staging is not root's alone (owner root, mode 0700)"
stage=$(mktemp -d "$staging/file.XXXXXX")
beside=
trap 'rm -rf -- "$stage" ${beside:+"$beside"}' EXIT
cd -- "$stage"
if [ "$format" = raw ]; then
	cat > "./$1"
else
	tar -x --no-same-owner -f -
fi
for f in "$@"; do
	[ -f "$f" ] && [ ! -L "$f" ] || refuse "$f is not a regular file in what tk sent"
done
chown -h -- "$owner" "$@"
[ -z "$mode" ] || chmod -- "$mode" "$@"
stage_device=$(stat -c %d .)

last=
for f in "$@"; do
	place "$f"
	if [ "$dir" != "$last" ]; then
		enter_directory "$dir" make
		last=$dir
		device=$(stat -c %d .)
	fi
	check_entry "$base" "$dest/$f"
	if [ "$device" = "$stage_device" ]; then
		mv -fT -- "$stage/$f" "$base"
		continue
	fi
	# Another filesystem: mv would copy into the final name, which readers could see half-written.
	beside=$(mktemp -d ./.tk-file.XXXXXX)
	beside=${ed_entered%/}/${beside#./}
	cd -P -- "$beside"
	[ "$(pwd -P)" = "$beside" ] || refuse "$beside changed while tk was writing"
	cp -p -- "$stage/$f" "$base"
	mv -fT -- "$base" "../$base"
	cd ..
	rmdir -- "${beside##*/}"
	beside=
done
