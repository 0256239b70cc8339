# What a file provisioner's destination holds now, for comparison with the
# source: a line "sum HASH ./REL" per regular file (sha256sum) and a line
# "stat MODE OWNER:GROUP ./REL" per file; nothing when the path does not
# exist. Links are not followed: a destination that tk would refuse to write
# (lib/enter-directory.sh) is refused here already, and a link under a
# destination directory is not read (tk then finds that file differs, and
# refuses it when it writes).
# $1: the destination; $2: "file" or "directory" (what the source is);
# $3: OWNER[:GROUP] the files are for.
# Exit 9: refused, the reason on stderr.
set -eu
d=$1
# tk:include lib/enter-directory.sh
set_owner "$3"
if [ "$2" = file ]; then
  enter_directory "$(dirname -- "$d")" check
  [ -z "$ed_missing" ] || exit 0
  f=$(basename -- "$d")
  check_entry "$f" "$d"
  [ -f "$f" ] || exit 0
  sha256sum -- "./$f" | sed 's/^/sum /'
  stat -c 'stat %a %U:%G %n' -- "./$f"
  exit 0
fi
enter_directory "$d" check
[ -z "$ed_missing" ] || exit 0
find . -type f -exec sha256sum -- {} + | sed 's/^/sum /'
find . -type f -exec stat -c 'stat %a %U:%G %n' -- {} +
