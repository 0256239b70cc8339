# Puts a file provisioner's changed files (a tar on stdin, or one file's bytes) into place, then
# gives them their owner and, when tk.yml names one, their mode. They are
# unpacked in a staging directory beside the destination and renamed into
# place, so nothing on the host ever reads half a file.
# $1: destination directory; $2: OWNER[:GROUP]; $3: mode or ""; $4: tar or raw
# (one file's bytes); the rest: the files (relative to the destination directory).
set -eu
dest=$1 owner=$2 mode=$3 format=$4
shift 4
umask 022
mkdir -p -- "$dest"
stage=$(mktemp -d "$dest/.tk-file.XXXXXX")
trap 'rm -rf -- "$stage"' EXIT
if [ "$format" = raw ]; then
  cat > "$stage/$1"
else
  tar -x --no-same-owner -C "$stage" -f -
fi
cd "$stage"
chown -- "$owner" "$@"
[ -z "$mode" ] || chmod -- "$mode" "$@"
for f in "$@"; do
  mkdir -p -- "$dest/$(dirname -- "$f")"
  mv -f -- "$f" "$dest/$f"
done
