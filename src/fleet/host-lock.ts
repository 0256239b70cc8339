/**
 * One tk run that changes a host at a time: `tk up`, `tk provision` and
 * `tk upgrade` take the same lock, so that one never restarts the engine
 * under another's daemon.json change or package upgrade. The lock is
 * flock(1) on /var/lib/tk/up.lock (0660 root:tk: only root and the tk
 * group's members, the users tk runs as, may open it, so no one else can hold
 * it), held by a command whose stdin tk keeps
 * open and writes a line to every 15 s: closing it, losing the connection,
 * or a minute without a line releases the lock, so a crashed, killed or cut
 * off run never leaves a host locked. A second run waits
 * (saying who holds the lock) or fails. Dry runs take no lock.
 */
import {randomBytes} from 'node:crypto'
import {hostname, userInfo} from 'node:os'

import {LOCK_FILE, STATE_DIR} from '../facts/up-state.js'
import {ConnectionError, HostStateError} from '../errors/index.js'
import {shQuote} from '../transport/sh-quote.js'
import {loginShellCommand} from '../transport/login-shell.js'
import type {Host, RunResult} from '../transport/host.js'
import type {ExecChannel} from '../transport/connection.js'
import type {SshHost} from '../transport/ssh-host.js'
import {boundScript, hostScript} from '../transport/host-scripts.js'

/** Where tk keeps what it knows on a host: the lock, its owner line, tk up's state. */
export {LOCK_FILE, STATE_DIR}
/** How long a run waits for another's lock on a host unless told (--wait). */
export const DEFAULT_LOCK_WAIT_SECONDS = 300
/** The lock's holder lets go after this long without a line from tk (a run cut off for good)... */
export const LOCK_IDLE_SECONDS = 60
/** ...and tk writes it one this often while it holds the lock. */
const LOCK_HEARTBEAT_MS = 15_000

export const OWNER_FILE = `${STATE_DIR}/up.owner`
/** A quick run's account (tk up, src/up/converged.ts), written by the lock's holder. */
export const LAST_FILE = `${STATE_DIR}/up.last`

/** Who is running tk, for the lock's owner line: user@workstation. */
export function whoAmI(): string {
  let user = process.env.USER ?? 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no passwd entry for this uid: keep $USER
  }
  return `${user}@${hostname()}`
}

/** The owner line of a lock taken now: "ann@ws (tk up) since 2026-11-28T19:00:00.000Z". */
export const lockHolder = (by: string, command: string): string => `${by} (${command}) since ${new Date().toISOString()}`

export interface HostLock {
  /** What options.whenLocked's script printed, run under the lock in the same round trip. */
  whenLocked?: RunResult
  /**
   * Lets the lock go. With `last` (one line of JSON: tk up's quick run), the holder first writes it to
   * /var/lib/tk/up.last, and release waits for it to say it did.
   */
  release(final?: {last?: string}): Promise<void>
}

/** A script run on the host as soon as the lock is held, in the lock's own round trip: the facts a run plans from. */
export interface WhenLocked {
  /** POSIX sh, run as the login user with no stdin. */
  script: string
  /** The lock is held and the script starts now (what tk asks the host meanwhile starts here). */
  onLocked?: () => void
}

export interface HostLockOptions {
  /** Seconds to wait for another run's lock; 0 fails at once. Default DEFAULT_LOCK_WAIT_SECONDS. */
  waitSeconds?: number
  /** The owner line (lockHolder). */
  holder: string
  onWait?: (holder: string) => void
  whenLocked?: WhenLocked
  /** A new login as the same user, for one who just joined the tk group (its groups are fixed at login). */
  relogin?: () => Promise<SshHost>
}

/**
 * Takes the host's lock. `root` makes the lock file once; the holder runs as
 * the login user on `login`'s connection. Calls onWait with the holder's
 * line when another run has the lock.
 */
export async function acquireHostLock(
  target: string,
  login: SshHost,
  root: Host,
  options: HostLockOptions,
): Promise<HostLock> {
  // Who holds the lock, for whoever waits for it next: advisory. The lock's script writes it
  // when the login user may (root, or the user who wrote it last); otherwise it is written
  // here through sudo, as soon as the lock is held, while the run goes on, and the file given
  // to the login user so that its next run needs no sudo for it. A plain write (one process, not
  // a temp file and a rename): a waiter reading half a line loses nothing.
  let owner: Promise<unknown> | undefined
  const user = login.connection.target.user
  const writeOwner = () => {
    owner ??= root.run(`printf '%s\\n' ${shQuote(options.holder)} > ${OWNER_FILE} && chown ${shQuote(user)} ${OWNER_FILE}`).catch(() => {})
  }
  let held = await holdLock(target, login, options, writeOwner)
  if (!held) {
    // The first run on this host, or of this user, or since an older tk made the lock files:
    // they are set up as root (0660 root:tk) and the login user joins the tk group, once.
    const waitSeconds = options.waitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS
    const setup = await root.run(await boundScript('lock-setup.sh', [user === 'root' ? '' : user, String(Math.max(0, Math.floor(waitSeconds)))]))
    if (setup.code === 4) {
      const holders = setup.stderr.trim().split('\n').filter((line) => line.includes(' is held by process ')).join('; ')
      throw new HostStateError(`${target}: the lock file an earlier tk made stayed held for ${waitSeconds} s (${holders || 'holder unknown'}), so tk could not replace it`, {
        hint: 'wait for that run, or stop the process holding it',
      })
    }
    if (setup.code !== 0) throw new HostStateError(`${target}: cannot set up ${LOCK_FILE}: ${setup.stderr.trim().split('\n').pop() || `exit ${setup.code}`}`)
    held = await holdLock(target, login, options, writeOwner)
    // A login's groups are fixed when it starts: a user who just joined the tk group holds the lock from a new one.
    if (!held && options.relogin) held = await holdLock(target, await options.relogin(), options, writeOwner)
    if (!held) {
      throw new HostStateError(`${target}: cannot open ${LOCK_FILE} as ${user}, a member of the tk group`, {
        hint: `check that ${user}'s logins get the tk group (id ${user})`,
      })
    }
  }
  const {channel, whenLocked} = held
  // The holder lets go when tk goes silent for LOCK_IDLE_SECONDS: a line now and then says tk is still there.
  const heartbeat = setInterval(() => channel.write('\n'), LOCK_HEARTBEAT_MS)
  heartbeat.unref()
  return {
    whenLocked,
    release: async (final) => {
      clearInterval(heartbeat)
      await owner
      if (final?.last !== undefined) {
        if (final.last.includes('\n')) throw new HostStateError(`${target}: the run's account for up.last is not one line`)
        channel.write(`last ${final.last}\n`)
        channel.end()
        await channel.whenClosed
        const code = channel.exitStatus.code
        if (code !== 0) throw new HostStateError(`${target}: cannot write ${LAST_FILE}${code === 5 ? ' as the login user' : ` (the lock's holder ended with ${code ?? 'no exit status'})`}`)
        return
      }
      // Closing the holder's input ends it, and flock's lock with it; no need to wait for the close.
      channel.end()
    },
  }
}

/**
 * Ends the output of the lock's whenLocked script, after a newline of its own:
 * "@@tk-lock:done-NONCE CODE", the nonce new each time so that nothing the
 * script prints from the host's files can end it early.
 */
const doneMarker = (nonce: string) => new RegExp(`\\n@@tk-lock:done-${nonce} (\\d+)\\n`, 'g')

/**
 * The channel of the command holding the lock, with what options.whenLocked's
 * script printed; undefined when the lock file does not exist yet.
 */
async function holdLock(target: string, login: SshHost, options: HostLockOptions, ownerUnwritten: () => void): Promise<{channel: ExecChannel; whenLocked?: RunResult} | undefined> {
  const script = await hostScript('up-lock.sh')
  const waitSeconds = options.waitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS
  const then = options.whenLocked
  const nonce = randomBytes(8).toString('hex')
  const marker = doneMarker(nonce)
  const channel = await login.connection.exec(
    loginShellCommand(login.connection.target.user === 'root' ? `tk_login_root=yes\n${script}` : script, {args: [String(Math.max(0, Math.floor(waitSeconds))), options.holder, String(LOCK_IDLE_SECONDS), ...(then ? [then.script, nonce] : [])]}),
  )
  return new Promise((resolve, reject) => {
    let buffered = ''
    let stderr = ''
    let holder = ''
    let locked = false
    // How far the output was searched for the end marker: the facts are tens of kB, in many chunks.
    let searched = 0
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      if (locked) {
        // The whenLocked script's output, up to its end marker.
        marker.lastIndex = Math.max(0, searched - 64 - nonce.length)
        searched = buffered.length
        const done = marker.exec(buffered)
        if (!done) return
        channel.off('data', onData)
        resolve({channel, whenLocked: {code: Number(done[1]), stdout: buffered.slice(0, done.index), stderr}})
        return
      }
      let newline: number
      while (!locked && (newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        if (line.startsWith('busy ')) {
          holder = line.slice(5)
          options.onWait?.(holder)
        }
        if (line === 'locked' || line === 'locked owner') {
          locked = true
          if (line === 'locked') ownerUnwritten()
          if (!then) {
            channel.off('data', onData)
            resolve({channel})
            return
          }
          then.onLocked?.()
          stderr = ''
          onData(Buffer.alloc(0))
        }
      }
    }
    channel.on('data', onData)
    channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    channel.on('error', () => {})
    void channel.whenClosed.then(() => {
      const code = channel.exitStatus.code
      if (code === 3 && !locked) {
        resolve(undefined)
      } else if (code === 4 && !locked) {
        reject(
          new HostStateError(`${target}: another tk run holds the host's lock (${holder || `see ${OWNER_FILE}`}) and did not finish within ${waitSeconds} s`, {
            hint: 'wait for it, or raise --wait',
          }),
        )
      } else if (code === undefined) {
        reject(new ConnectionError(`${target}: the connection closed while taking the lock`))
      } else {
        reject(new HostStateError(`${target}: cannot take the lock ${LOCK_FILE}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`))
      }
    })
  })
}
