/**
 * What `tk up` remembers about a host, kept on the host itself
 * (/var/lib/tk/state.json) so that every admin's checkout sees the same
 * history: which provisioners ran, with which spec (a keyed hash: values
 * from the environment may be secret and never land on a host), when and by
 * which tk.
 */
import {HostStateError} from '../errors/index.js'
import type {Host} from '../transport/host.js'

/** Where tk keeps what it knows of a host, on the host. */
export const STATE_DIR = '/var/lib/tk'
/** The host's lock file (src/fleet/host-lock.ts). */
export const LOCK_FILE = `${STATE_DIR}/up.lock`

export const STATE_FILE = `${STATE_DIR}/state.json`

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

export async function readHostState(host: Host): Promise<HostState> {
  const data = await host.readFile(STATE_FILE)
  return parseHostState(data?.toString('utf8'))
}

/** Written as root, world-readable (it holds no secret), so `tk status` can read it as any user; one round trip. */
export async function writeHostState(root: Host, state: HostState): Promise<void> {
  const script = [
    'set -eu',
    'umask 022',
    `mkdir -p ${STATE_DIR}`,
    `t=${STATE_DIR}/.state.json.tk-$$`,
    `trap 'rm -f "$t"' EXIT`,
    'cat > "$t"',
    `mv -f "$t" ${STATE_FILE}`,
    'trap - EXIT',
  ].join('\n')
  const written = await root.run(script, {stdin: `${JSON.stringify(state, null, 2)}\n`})
  if (written.code !== 0) throw new HostStateError(`cannot write ${STATE_FILE}: ${written.stderr.trim().split('\n').pop()}`)
}
