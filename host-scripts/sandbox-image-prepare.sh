#!/bin/sh
# Turns a fresh Debian tree into a sandbox machine image: the sandbox's users
# and their keys, sudo, sshd without host keys (each machine gets its own
# before it first boots), an empty machine-id, units that only fail in a
# machine masked. Runs inside the tree as its root (chroot as root, or in
# mmdebstrap's user namespace), so both image builds share it. Its inputs
# wait in /tmp/tk-prepare (admin.pub, op.pub, op.chpasswd, proxy), put there
# by tk and removed here: op's password never goes on a command line.
# Arguments: ADMIN_UID OP_UID UNIT...
set -eu
in=/tmp/tk-prepare
admin_uid=$1
op_uid=$2
shift 2

rm -f /etc/ssh/ssh_host_*
mkdir -p /etc/ssh/sshd_config.d
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' >/etc/ssh/sshd_config.d/tk-sandbox.conf

for entry in "admin:$admin_uid" "op:$op_uid"; do
  user=${entry%%:*}
  uid=${entry#*:}
  groupadd --gid "$uid" "$user"
  useradd --create-home --shell /bin/bash --uid "$uid" --gid "$uid" "$user"
  install -d -m 700 -o "$uid" -g "$uid" "/home/$user/.ssh"
  install -m 600 -o "$uid" -g "$uid" "$in/$user.pub" "/home/$user/.ssh/authorized_keys"
done
# admin has no password but is not locked (a locked account may not log in with a key).
usermod --password '*' admin
chpasswd <"$in/op.chpasswd"
printf 'admin ALL=(ALL:ALL) NOPASSWD: ALL\nop ALL=(ALL:ALL) ALL\n' >/etc/sudoers.d/tk-sandbox
chmod 440 /etc/sudoers.d/tk-sandbox

# An empty machine-id: each machine is given its own when it is created.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
for unit in "$@"; do
  ln -sfn /dev/null "/etc/systemd/system/$unit"
done
if [ -s "$in/proxy" ]; then
  printf 'Acquire::http::Proxy "%s";\n' "$(cat "$in/proxy")" >/etc/apt/apt.conf.d/01tk-sandbox-proxy
fi
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/*_Packages "$in"
