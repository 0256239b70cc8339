#!/bin/sh
# What tk up's docker provisioner needs to know about one image and one
# container, in one round trip and, when nothing changed, one docker call.
# Runs as root.
# Arguments: IMAGE CONTAINER PULL [ID...]. IMAGE carries a tag or digest (so it
# can never be taken for a container name); CONTAINER is a name, or empty for
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

# One line per object that exists: "image ID" or "container ID IMAGE-ID RUNNING SPEC".
# docker inspect without --type finds either kind; a missing one is an error
# line naming it, any other error (no engine) ends the script. The template
# asks with `index`, which the typed objects refuse, so docker applies it to
# the raw JSON of both kinds, where a missing key is no error.
describe() {
	out=$(docker inspect --format '{{if index . "State"}}container {{.Id}} {{.Image}} {{.State.Running}} {{with .Config.Labels}}{{with index . "tk.spec"}}{{.}}{{else}}-{{end}}{{else}}-{{end}}{{else if index . "RootFS"}}image {{.Id}}{{end}}' "$@" 2>&1) || :
	echo "$out" | while IFS= read -r line; do
		case $line in
		'image '* | 'container '*) echo "$line" ;;
		*"No such"* | '') ;;
		*) echo "$line" >&2; exit 1 ;;
		esac
	done
}

if [ "$pull" = pull ]; then
	before=$(describe "$image")
	before=${before#image }
	echo "before ${before:--}"
	docker pull --quiet "$image" >/dev/null
fi
found=$(describe "$image" ${container:+"$container"})
image_id=$(echo "$found" | sed -n 's/^image //p')
echo "image ${image_id:--}"
if [ $# -gt 0 ]; then
	archive=-
	for id in "$@"; do
		if [ "$id" = "$image_id" ]; then archive=$id; break; fi
	done
	if [ "$archive" = - ]; then
		for id in "$@"; do
			if docker image inspect --format '{{.Id}}' "$id" >/dev/null 2>&1; then archive=$id; break; fi
		done
	fi
	echo "archive $archive"
fi
if [ -n "$container" ]; then
	state=$(echo "$found" | sed -n 's/^container //p')
	echo "container ${state:--}"
fi
