/**
 * What `tk up` remembers about a host, kept on the host itself
 * (/var/lib/tk/state.json) so that every admin's checkout sees the same
 * history: which provisioners ran, with which spec (a keyed hash: values
 * from the environment may be secret and never land on a host), when and by
 * which tk.
 */
import {HostStateError} from '../errors/index.js'
import type {FactSections} from './sections.js'
import type {Host} from '../transport/host.js'
import {shQuote} from '../transport/sh-quote.js'

/** Where tk keeps what it knows of a host, on the host. */
export const STATE_DIR = '/var/lib/tk'
/** The host's lock file (src/fleet/host-lock.ts). */
export const LOCK_FILE = `${STATE_DIR}/up.lock`

export const STATE_FILE = `${STATE_DIR}/state.json`
/** States up to this size are written by the script itself, larger ones sent on its stdin. */
const STATE_INLINE_LIMIT = 16 * 1024

export interface ProvisionerRecord {
  type: 'shell' | 'file' | 'docker'
  /**
   * The keyed hash (hmac-sha256:HEX, with the host's /var/lib/tk/spec.key) of the provisioner's spec as
   * tk.yml and the files it names define it; a bare sha256 HEX when an older tk wrote it (src/up/spec-hash.ts).
   */
  specHash: string
  /** ISO 8601, when it last changed the host. */
  appliedAt: string
  tkVersion: string
}

export interface LastUp {
  /** ISO 8601, when the run finished. */
  at: string
  /** Who ran it: the workstation's user@hostname. */
  by: string
  tkVersion: string
  ok: boolean
  /** Steps that changed the host (engine steps and provisioners). */
  changed: number
  durationMs: number
  /** A quick run (src/up/converged.ts): the host's fingerprint was the last full check's. */
  quick?: true
}

export interface HostState {
  version: 1
  lastUp?: LastUp
  provisioners: Record<string, ProvisionerRecord>
}

export const emptyState = (): HostState => ({version: 1, provisioners: {}})

/**
 * The state from the file's text. A missing, unreadable or foreign file is an
 * empty state: the worst that does is run `once` provisioners again, which a
 * lost state file calls for anyway.
 */
export function parseHostState(text: string | undefined): HostState {
  if (!text) return emptyState()
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return emptyState()
  }
  if (typeof value !== 'object' || value === null || (value as {version?: unknown}).version !== 1) return emptyState()
  const state = value as Partial<HostState>
  const provisioners = typeof state.provisioners === 'object' && state.provisioners !== null ? state.provisioners : {}
  return {version: 1, ...(state.lastUp ? {lastUp: state.lastUp} : {}), provisioners}
}

/**
 * The state read by a round trip that runs anyway (tk up's facts, under the lock): appended to its
 * script, it prints the file as a section of its own, saving a channel and a process per host.
 */
export const STATE_SECTION_SCRIPT = [
  "printf '\\n@@tk:up-state\\n'",
  `if [ -e ${STATE_FILE} ]; then cat -- ${STATE_FILE} || printf '\\n@@tk:up-state-unreadable\\n'; fi`,
].join('\n')

/**
 * The state in the output of a script STATE_SECTION_SCRIPT ended: undefined when the section is not
 * there (the script ended early: read it on its own); a file that was there but could not be read
 * fails, as readHostState does.
 */
export function hostStateFromSections(sections: FactSections, target: string): HostState | undefined {
  if (sections.has('up-state-unreadable')) throw new HostStateError(`${target}: cannot read ${STATE_FILE}`)
  return sections.has('up-state') ? parseHostState(sections.body('up-state')) : undefined
}

export async function readHostState(host: Host): Promise<HostState> {
  const data = await host.readFile(STATE_FILE)
  return parseHostState(data?.toString('utf8'))
}

/**
 * Written as root, world-readable (it holds no secret), so `tk status` can read it as any user; one round
 * trip, which `then` (a script run after the write, with `stdin` as its input) shares: what tk up records
 * beside the state (src/up/converged.ts). A state too large to travel in the script goes on stdin, and
 * `then` gets none (thenStdinFits says so first).
 */
export async function writeHostState(root: Host, state: HostState, then?: {script: string; stdin?: string}): Promise<void> {
  const text = stateText(state)
  // A state of the usual size travels in the script, written by printf (a shell builtin): no process
  // reads stdin for it (it is on every tk up of every host, and holds nothing secret).
  const inline = text.length <= STATE_INLINE_LIMIT
  if (!inline && then?.stdin !== undefined) throw new HostStateError('the state is too large to share its round trip with input of its own')
  const script = [
    'set -eu',
    'umask 022',
    `[ -d ${STATE_DIR} ] || mkdir -p ${STATE_DIR}`,
    `t=${STATE_DIR}/.state.json.tk-$$`,
    `trap 'rm -f "$t"' EXIT`,
    inline ? `printf '%s' ${shQuote(text)} > "$t"` : 'cat > "$t"',
    `mv -f "$t" ${STATE_FILE}`,
    'trap - EXIT',
    ...(then ? [then.script] : []),
  ].join('\n')
  const written = await root.run(script, inline ? (then?.stdin === undefined ? {} : {stdin: then.stdin}) : {stdin: text})
  if (written.code !== 0) throw new HostStateError(`cannot write ${STATE_FILE}: ${written.stderr.trim().split('\n').pop()}`)
}

const stateText = (state: HostState): string => `${JSON.stringify(state, null, 2)}\n`

/** Whether `then` of writeHostState may have input of its own along with this state. */
export function thenStdinFits(state: HostState): boolean {
  return stateText(state).length <= STATE_INLINE_LIMIT
}
