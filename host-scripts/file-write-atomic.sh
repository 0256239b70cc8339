# Replaces a file with stdin atomically (the host interface's
# writeFileAtomic): written beside it under a temporary name, given its mode,
# synced, then renamed over it, so that a reader sees the old file or the new
# one, never half of one. The temporary file goes however the script ends.
# $1: the path; $2: the mode, octal.
set -eu
p=$1
t="$(dirname -- "$p")/.$(basename -- "$p").tk-$$"
trap 'rm -f -- "$t"' EXIT
cat > "$t"
chmod "$2" -- "$t"
sync -- "$t" 2>/dev/null || true
mv -f -- "$t" "$p"
trap - EXIT
