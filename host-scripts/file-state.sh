# What a file provisioner's destination holds now, for comparison with the
# source: a line "sum HASH ./REL" per regular file (sha256sum) and a line
# "stat MODE OWNER:GROUP ./REL" per file; nothing when the path does not exist.
# $1: the destination; $2: "file" or "directory" (what the source is).
set -eu
d=$1
if [ "$2" = file ]; then
  [ -f "$d" ] || exit 0
  cd "$(dirname -- "$d")"
  f=./$(basename -- "$d")
  sha256sum -- "$f" | sed 's/^/sum /'
  stat -c 'stat %a %U:%G %n' -- "$f"
  exit 0
fi
[ -d "$d" ] || exit 0
cd "$d"
find . -type f -exec sha256sum -- {} + | sed 's/^/sum /'
find . -type f -exec stat -c 'stat %a %U:%G %n' -- {} +
