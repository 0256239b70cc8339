# The output of the facts scripts: sections, each opened by a line
# "@@tk:NAME" (src/facts/sections.ts reads them), and show, which prints a
# small file's lines without starting a process (read and printf are dash
# builtins): a process costs more than the reading, and the facts are read on
# every tk up. Not for integer sysctls under /proc/sys: read takes a byte at a
# time, and they answer only a read from offset 0 (root_maxkeys would come
# back as its first digit).
section() { printf '@@tk:%s\n' "$1"; }
show() {
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done < "$1"
}
