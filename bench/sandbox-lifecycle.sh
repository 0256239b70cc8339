#!/bin/sh
# Times tk ssh-config's ProxyCommand path against a direct ssh to the same
# sandbox machine, and tk reload (halt + start) of one machine.
#   bench/sandbox-lifecycle.sh DIR HOST   (DIR: a tk.yml of sandbox hosts whose machines exist, e.g. after tk up)
# Run as the user tk runs as, with TK_SANDBOX_HOME set as for tk.
set -eu
dir=$1 host=$2
tk="node $(cd "$(dirname "$0")/.." && pwd)/bin/run.js"
cd "$dir"
config=$(mktemp)
trap 'rm -f "$config"' EXIT
$tk ssh-config "$host" > "$config"
port=$($tk start --json "$host" | sed -n 's/.*"port": \([0-9]*\).*/\1/p')
home=${TK_SANDBOX_HOME:-/var/lib/tk-sandbox}
echo "== ssh HOST true: through tk ssh-config's ProxyCommand (A) vs direct to 127.0.0.1:$port (B)"
node "$(cd "$(dirname "$0")" && pwd)/compare.js" -n 5 --vs "ssh -F /dev/null -i $home/keys/admin_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$home/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -p $port admin@127.0.0.1 true" -- ssh -F "$config" -o BatchMode=yes "$host" true
echo "== tk reload $host (halt, then start until sshd answers)"
node "$(cd "$(dirname "$0")" && pwd)/compare.js" -n 3 --warmup 0 -- $tk reload "$host"
