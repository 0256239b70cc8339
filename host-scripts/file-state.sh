# What a file provisioner's destination holds now, for comparison with the
# source: a line "sum HASH ./REL" per regular file (sha256sum) and a line
# "stat MODE OWNER:GROUP ./REL" per file; nothing when the path does not
# exist. Links are not followed: a destination that tk would refuse to write
# (lib/enter-directory.sh) is refused here already, with the same words, and
# a link under a destination directory is not read (tk then finds that file
# differs, and refuses it when it writes).
# Read-only, and read on every tk up for every file provisioner: the path's
# components are looked at with one stat, not entered one at a time as a
# write does (enter_directory guards a write against a path changed under
# it; a read has nothing to guard), so that a converged host costs a few
# processes per provisioner.
# $1: the destination; $2: "file" or "directory" (what the source is);
# $3: OWNER[:GROUP] the files are for.
# Exit 9: refused, the reason on stderr.
set -eu
d=$1
kind=$2
# tk:include lib/enter-directory.sh
set_owner "$3"
if [ "$kind" = file ]; then dir=${d%/*}; else dir=$d; fi
# The components to look at: /, each directory on the way, and (a file) the destination.
set -- /
entered= rest=${dir#/}
while [ -n "$rest" ]; do
  name=${rest%%/*}
  case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
  case $name in "" | .) continue ;; ..) refuse "$dir: a path with .. in it" ;; esac
  entered=$entered/$name
  set -- "$@" "$entered"
done
[ "$kind" != file ] || set -- "$@" "$d"
# stat prints the components that exist, in order, and stops mattering at the first that does not.
found=$(stat -c '%F:%u:%g:%a:%U:%G:%n' -- "$@" 2>/dev/null) || :
last=
while IFS=: read -r type uid gid mode user group name; do
  [ -n "$name" ] || continue
  last=$name
  if [ "$kind" = file ] && [ "$name" = "$d" ]; then
    case $type in
      'symbolic link') refuse "$d is a symbolic link (to $(readlink -- "$d")): tk does not write through links; remove it or change the destination" ;;
      directory) refuse "$d is a directory" ;;
      'regular file' | 'regular empty file') ;;
      *) exit 0 ;;
    esac
    cd -P -- "${dir:-/}"
    f=${d##*/}
    sum=$(sha256sum -- "./$f")
    printf 'sum %s\nstat %s %s:%s ./%s\n' "$sum" "$mode" "$user" "$group" "$f"
    exit 0
  fi
  [ "$type" != 'symbolic link' ] || refuse "$name is a symbolic link (to $(readlink -- "$name")): tk does not write through links; make it a directory or change the destination"
  [ "$type" = directory ] || refuse "$name is not a directory"
  # As enter_directory judges an entered directory.
  check_directory "$name" "$uid" "$gid" "$mode"
done <<FOUND
$found
FOUND
# A component (or the file) is missing: nothing there.
[ "$kind" = directory ] && [ "$last" = "${dir:-/}" ] || exit 0
cd -P -- "$dir"
find . -type f -exec sha256sum -- {} + -exec stat -c 'stat %a %U:%G %n' -- {} + | sed '/^stat /!s/^/sum /'
