# enter_directory DIR MAKE: makes DIR (absolute) the current directory, but
# only when root may write there for someone without another user steering
# the write: no component of its path is a symbolic link, and none is
# writable by a user other than root and the files' owner ($owner_uid, from
# set_owner). Otherwise it refuses (one line on stderr, exit 9). With MAKE
# "make" the missing components are made (root's, 0755); with "check" it
# stops at the first missing one, sets ed_missing and writes nothing.
# ed_entered is the path entered. Variables here start with ed_: sh has no
# local ones.
#
# Why cd, one component at a time: a name is checked, entered with `cd -P`,
# and `pwd -P` must then show the path expected; a link swapped in after the
# check shows up there. From then on the caller uses names relative to the
# directory it is in, so no later change to a component of the path can send
# a write anywhere else.

# refuse MESSAGE: the one line tk shows, then exit 9.
refuse() {
	printf 'refused: %s\n' "$*" >&2
	exit 9
}

# set_owner OWNER[:GROUP]: sets owner_uid, or refuses when the host has no such user.
# root is uid 0 on every host: no `id` process for the usual owner.
set_owner() {
	case ${1%%:*} in
		root) owner_uid=0 ;;
		*) owner_uid=$(id -u -- "${1%%:*}" 2>/dev/null) || refuse "no user ${1%%:*} on this host" ;;
	esac
}

# A user's (or with "group", a group's) name for messages: the number when it has none.
id_name() {
	getent "${2:-passwd}" "$1" | cut -d: -f1 | grep . || echo "$1"
}

# A member of group $1 (a gid) other than root and the owner, if any: listed
# in the group, or having it as primary group.
other_group_member() {
	for ed_member in $(getent group "$1" | cut -d: -f4 | tr ',' ' '); do
		ed_uid=$(id -u -- "$ed_member" 2>/dev/null) || continue
		[ "$ed_uid" = 0 ] || [ "$ed_uid" = "$owner_uid" ] || { echo "$ed_member"; return 0; }
	done
	getent passwd | awk -F: -v gid="$1" -v owner="$owner_uid" '$4 == gid && $3 != 0 && $3 != owner { print $1; exit }'
}

# The current directory, reached as $1: refused unless only root and the owner can write it.
check_current_directory() {
	check_directory "$1" $(stat -c '%u %g %a' .)
}

# check_directory PATH UID GID MODE: a directory with that owner, group and
# mode (stat's %u %g %a), refused unless only root and the owner can write it.
check_directory() {
	ed_why="tk writes as root only where no user but root and the files' owner can change the path"
	[ "$2" = 0 ] || [ "$2" = "$owner_uid" ] || refuse "$1 belongs to $(id_name "$2"): $ed_why"
	ed_mode=$((0$4))
	[ $((ed_mode & 2)) = 0 ] || refuse "$1 is writable by every user: $ed_why"
	[ $((ed_mode & 16)) != 0 ] || return 0
	ed_member=$(other_group_member "$3")
	[ -z "$ed_member" ] || refuse "$1 is writable by group $(id_name "$3" group), which $ed_member is in: $ed_why"
}

enter_directory() {
	cd /
	check_current_directory /
	ed_entered= ed_missing=
	ed_rest=${1#/}
	while [ -n "$ed_rest" ]; do
		ed_name=${ed_rest%%/*}
		case $ed_rest in */*) ed_rest=${ed_rest#*/} ;; *) ed_rest= ;; esac
		case $ed_name in "" | .) continue ;; ..) refuse "$1: a path with .. in it" ;; esac
		ed_entered=$ed_entered/$ed_name
		if [ -L "$ed_name" ]; then
			refuse "$ed_entered is a symbolic link (to $(readlink -- "$ed_name")): tk does not write through links; make it a directory or change the destination"
		fi
		if [ ! -e "$ed_name" ]; then
			[ "$2" = make ] || { ed_missing=yes; return 0; }
			mkdir -m 755 -- "$ed_name"
		fi
		[ -d "$ed_name" ] || refuse "$ed_entered is not a directory"
		cd -P -- "$ed_name"
		[ "$(pwd -P)" = "$ed_entered" ] || refuse "$ed_entered changed while tk was writing (a link put in its place?)"
		check_current_directory "$ed_entered"
	done
	ed_entered=${ed_entered:-/}
}

# check_entry NAME PATH: refuses when NAME, in the current directory, is a link or a directory (PATH names it in messages).
check_entry() {
	if [ -L "$1" ]; then
		refuse "$2 is a symbolic link (to $(readlink -- "$1")): tk does not write through links; remove it or change the destination"
	fi
	[ ! -d "$1" ] || refuse "$2 is a directory"
}
