#!/bin/sh
# What tk up's docker provisioner needs to know about one image and one
# container, in one round trip. Runs as root.
# Arguments: IMAGE CONTAINER PULL [ID...]. CONTAINER is a name, or empty for
# none; PULL is "pull" to pull IMAGE first (run: always without an archive);
# the IDs are those an image archive's image may have on this engine.
# Prints, one per line:
#   before ID|-                          (only when pulling: the ID before the pull)
#   image ID|-
#   archive ID|-                         (only with IDs: the ID IMAGE has if it is one
#                                         of them, else the first the engine has)
#   container ID IMAGE-ID RUNNING SPEC|- (only when CONTAINER is given)
set -eu
image=$1
container=$2
pull=$3
shift 3

# Prints the formatted object, or "-" when it does not exist; any other
# failure (no engine) fails the caller's assignment and so the script.
inspect() {
	if out=$(docker "$1" inspect --format "$2" "$3" 2>&1); then
		echo "$out"
	else
		case $out in
		*"No such"*) echo - ;;
		*) echo "$out" >&2; return 1 ;;
		esac
	fi
}

if [ "$pull" = pull ]; then
	before=$(inspect image '{{.Id}}' "$image")
	echo "before $before"
	docker pull --quiet "$image" >/dev/null
fi
image_id=$(inspect image '{{.Id}}' "$image")
echo "image $image_id"
if [ $# -gt 0 ]; then
	found=-
	for id in "$@"; do
		if [ "$id" = "$image_id" ]; then found=$id; break; fi
	done
	if [ "$found" = - ]; then
		for id in "$@"; do
			known=$(inspect image '{{.Id}}' "$id")
			if [ "$known" != - ]; then found=$id; break; fi
		done
	fi
	echo "archive $found"
fi
if [ -n "$container" ]; then
	state=$(inspect container '{{.Id}} {{.Image}} {{.State.Running}} {{with index .Config.Labels "tk.spec"}}{{.}}{{else}}-{{end}}' "$container")
	echo "container $state"
fi
