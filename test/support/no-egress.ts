/**
 * Sandbox machines with no way out, for the tests of hosts without egress
 * (packages through the workstation, offline bundles).
 *
 *   await cutOffEgress(machine)   // it reaches nothing but itself; SSH in still works
 *   await restoreEgress(machine)  // as it was
 *
 * A machine's SSH connection arrives from its network's gateway (the engine's
 * userland proxy on the workstation), so the gateway cannot simply be made
 * unreachable: replies from sshd (protocol 6, TCP, source port 22: the machine has no /etc/protocols) keep the main routing
 * table; every other packet the machine sends to an address not its own is
 * refused at once by a policy rule (EACCES, no waiting for timeouts). Without
 * that rule a machine with no default route still reaches the workstation's
 * bridge address, where a proxy listening there would pass a test without any
 * SSH forward. Names resolve nowhere, and fail at once: the resolver is a
 * closed port on the machine's own loopback. Machines are made with every
 * capability but CAP_SYS_RESOURCE, so root in them may change their routing.
 */
import type {TestMachine} from './sandbox.js'

const RULE_PRIORITY = {sshReplies: 90, refuse: 91}
const RESOLV_BACKUP = '/run/tk-test-resolv.conf'

const CUT = `set -eu
ip rule add priority ${RULE_PRIORITY.sshReplies} ipproto 6 sport 22 lookup main
ip rule add priority ${RULE_PRIORITY.refuse} prohibit
if [ -e /proc/net/if_inet6 ]; then
  ip -6 rule add priority ${RULE_PRIORITY.sshReplies} ipproto 6 sport 22 lookup main
  ip -6 rule add priority ${RULE_PRIORITY.refuse} prohibit
fi
cp /etc/resolv.conf ${RESOLV_BACKUP}
printf 'nameserver 127.0.0.1\\noptions timeout:1 attempts:1\\n' > /etc/resolv.conf
`

const RESTORE = `set -u
ip rule del priority ${RULE_PRIORITY.refuse} 2>/dev/null
ip rule del priority ${RULE_PRIORITY.sshReplies} 2>/dev/null
ip -6 rule del priority ${RULE_PRIORITY.refuse} 2>/dev/null
ip -6 rule del priority ${RULE_PRIORITY.sshReplies} 2>/dev/null
if [ -f ${RESOLV_BACKUP} ]; then cat ${RESOLV_BACKUP} > /etc/resolv.conf && rm -f ${RESOLV_BACKUP}; fi
true
`

async function asRoot(machine: TestMachine, script: string, what: string): Promise<void> {
  const result = await machine.ssh('admin', 'sudo -n sh -s', {input: script})
  if (result.code !== 0) throw new Error(`${what} ${machine.name}: ${result.stderr.trim() || `exit ${result.code}`}`)
}

/** Leaves `machine` able to reach only itself; incoming SSH keeps working. */
export function cutOffEgress(machine: TestMachine): Promise<void> {
  return asRoot(machine, CUT, 'could not cut off')
}

/** Undoes cutOffEgress. */
export function restoreEgress(machine: TestMachine): Promise<void> {
  return asRoot(machine, RESTORE, 'could not restore the network of')
}

/**
 * Whether `machine` can open a TCP connection to ADDRESS:PORT within a few
 * seconds (bash's /dev/tcp: no client tools needed on the machine).
 */
export async function canConnect(machine: TestMachine, address: string, port: number): Promise<boolean> {
  const probe = `timeout 5 bash -c 'exec 3<>/dev/tcp/${address}/${port}' 2>/dev/null`
  return (await machine.ssh('admin', probe)).code === 0
}

/** The address of the machine's network gateway: the workstation, as the machine sees it. */
export async function gatewayOf(machine: TestMachine): Promise<string> {
  const result = await machine.ssh('admin', "ip -4 route show default | awk '{print $3; exit}'")
  const gateway = result.stdout.trim()
  if (result.code !== 0 || !/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new Error(`no default gateway on ${machine.name}: ${result.stderr.trim()}`)
  return gateway
}
