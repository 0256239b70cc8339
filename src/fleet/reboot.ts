/**
 * The reboot step: a host rebooted and waited for until it is back, for
 * `tk reboot` and for any command that needs a reboot (a new kernel).
 *
 * A new boot is told by what a reboot changes: the kernel's boot id where
 * the host has a kernel of its own, and PID 1's start time where it does
 * not (a container machine shares the workstation's kernel, and so its boot
 * id). The host is asked again over fresh connections through its session,
 * so that a provider that gives a host a new address on every start (a
 * sandbox machine's published SSH port) is asked for it again each time.
 * Every wait is bounded by the caller's timeout; a host that never went down
 * or never came back is a failure that says which, never a success.
 */
import {randomBytes} from 'node:crypto'

import {HostStateError} from '../errors/index.js'
import type {HostSession} from './host-session.js'

export interface BootIdentity {
  bootId: string
  /** PID 1's start time, in clock ticks after the kernel's boot. */
  initStarted: string
  kernel: string
}

/** Prints the boot identity, one item a line; fields after PID 1's "(comm)" so a name with spaces cannot shift them. */
export const BOOT_IDENTITY_SCRIPT = "cat /proc/sys/kernel/random/boot_id && sed 's/^.*) //' /proc/1/stat | cut -d' ' -f20 && uname -r"

export function parseBootIdentity(stdout: string): BootIdentity {
  const [bootId = '', initStarted = '', kernel = ''] = stdout.trim().split('\n').map((line) => line.trim())
  if (!/^[0-9a-f-]{36}$/.test(bootId) || !/^\d+$/.test(initStarted) || !kernel) throw new HostStateError(`unexpected boot identity from the host: ${JSON.stringify(stdout.slice(0, 200))}`)
  return {bootId, initStarted, kernel}
}

/** Whether `after` is another boot than `before`: another kernel boot, or (in a container) another PID 1. */
export function isNewBoot(before: BootIdentity, after: BootIdentity): boolean {
  return before.bootId !== after.bootId || before.initStarted !== after.initStarted
}

/**
 * Asks the host's init to reboot a second after the command returns, from a
 * session of its own (setsid), so that the answer reaches tk before sshd goes.
 */
export const REBOOT_SCRIPT = `if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then how='systemctl reboot'; else how='reboot'; fi
setsid sh -c "sleep 1; $how" </dev/null >/dev/null 2>&1 &
echo "$how"`

/** Waits for systemd to finish starting (running or degraded), bounded; elsewhere says what it can. */
const SYSTEM_STATE_SCRIPT = (seconds: number) =>
  `if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then timeout ${seconds} systemctl is-system-running --wait 2>/dev/null || systemctl is-system-running 2>/dev/null || true; else echo 'no systemd'; fi`

export interface RebootOptions {
  /** How long the whole reboot may take, down and back up. */
  timeoutMs: number
  /** Between two tries while the host is down. Default: 1 s. */
  pollMs?: number
  /** Each phase once, as it begins: "going down", "down", "booting". */
  onProgress?: (text: string) => void
}

export interface RebootReport {
  /** The kernel before and after: the same unless a new one was booted. */
  kernelBefore: string
  kernelAfter: string
  /** How long after the request the host was first seen down (absent when it came back before any try failed). */
  downAfterMs?: number
  /** How long after the request the host answered from its new boot. */
  backAfterMs: number
  /** systemd's word once the boot finished (running, degraded), or what the host could say. */
  systemState: string
  /** How the reboot was asked for (systemctl reboot, reboot). */
  how: string
  /** When the reboot was asked for, and when the host answered from its new boot (ISO times, the workstation's clock). */
  askedAt: string
  backAt: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Reboots the session's host as root and waits until it answers from its new boot. */
export async function rebootHost(session: HostSession, options: RebootOptions): Promise<RebootReport> {
  const pollMs = options.pollMs ?? 1000
  const probeMs = 10_000
  const {root} = await session.open()
  const identity = await root.run(BOOT_IDENTITY_SCRIPT, {timeoutMs: probeMs})
  if (identity.code !== 0) throw new HostStateError(`${session.name}: could not read its boot identity: ${identity.stderr.trim() || `exit ${identity.code}`}`)
  const before = parseBootIdentity(identity.stdout)
  // A sandbox machine is a container: readied to be started again by its engine when its init exits.
  if (session.target.provider === 'sandbox') await (await import('../providers/sandbox/fleet.js')).readySandboxReboot(session.target)
  // A token in the request's log line on the host, so that an admin reading the journal sees who asked.
  const token = randomBytes(4).toString('hex')
  const asked = await root.run(`logger -t tk "reboot ${token} asked by tk" 2>/dev/null || true\n${REBOOT_SCRIPT}`, {timeoutMs: probeMs})
  if (asked.code !== 0) throw new HostStateError(`${session.name}: could not ask for a reboot: ${asked.stderr.trim() || `exit ${asked.code}`}`)
  const how = asked.stdout.trim().split('\n').at(-1) ?? 'reboot'
  const started = performance.now()
  const askedAt = new Date().toISOString()
  const elapsed = () => performance.now() - started
  options.onProgress?.('going down')

  let downAfterMs: number | undefined
  let lastError = ''
  while (elapsed() < options.timeoutMs) {
    // eslint-disable-next-line no-await-in-loop -- one try at a time, until the host answers from its new boot
    await sleep(pollMs)
    try {
      // eslint-disable-next-line no-await-in-loop
      const access = await session.reconnect()
      // eslint-disable-next-line no-await-in-loop
      const now = await access.login.run(BOOT_IDENTITY_SCRIPT, {timeoutMs: probeMs})
      if (now.code !== 0) throw new Error(now.stderr.trim() || `exit ${now.code}`)
      const after = parseBootIdentity(now.stdout)
      if (!isNewBoot(before, after)) continue // still going down
      const backAfterMs = Math.round(elapsed())
      const backAt = new Date().toISOString()
      options.onProgress?.('booting')
      const remaining = Math.max(5, Math.round((options.timeoutMs - elapsed()) / 1000))
      // eslint-disable-next-line no-await-in-loop
      const state = await access.login.run(SYSTEM_STATE_SCRIPT(Math.min(remaining, 300)), {timeoutMs: (Math.min(remaining, 300) + 10) * 1000})
      return {kernelBefore: before.kernel, kernelAfter: after.kernel, downAfterMs, backAfterMs, systemState: state.stdout.trim().split('\n').at(-1) || 'unknown', how, askedAt, backAt}
    } catch (error) {
      lastError = (error as Error).message.split('\n')[0]
      if (downAfterMs === undefined) {
        downAfterMs = Math.round(elapsed())
        options.onProgress?.('down')
      }
    }
  }
  const seconds = Math.round(options.timeoutMs / 1000)
  if (downAfterMs === undefined) {
    throw new HostStateError(`${session.name}: did not go down within ${seconds} s of asking it to reboot (${how})`, {
      hint: 'the host may refuse to reboot (an inhibitor, a hung shutdown): look at its journal',
    })
  }
  throw new HostStateError(`${session.name}: went down but did not come back within ${seconds} s${lastError ? ` (last try: ${lastError})` : ''}`, {
    hint: 'look at its console; tk reboot HOST --timeout SECONDS waits longer',
  })
}
