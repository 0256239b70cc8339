/**
 * Spec hashes: what tk records of a provisioner's spec (state.json, the
 * container's tk.spec label) to tell later whether it changed. A spec holds
 * environment values that may be secrets, and state.json and labels are read
 * by others, so the hash is keyed: HMAC-SHA256 with the host's own random
 * key (/var/lib/tk/spec.key, root's alone, host-scripts/spec-key.sh). Without
 * the key a recorded hash cannot be checked against guesses.
 *
 * tk before this recorded a plain sha256 of the same text; such a record
 * still counts as "unchanged" (so the first run after an upgrade neither
 * reruns provisioners nor recreates containers) and is rewritten keyed.
 */
import {createHash, createHmac, randomBytes} from 'node:crypto'

import {HostStateError} from '../errors/index.js'
import type {Host} from '../transport/host.js'
import {boundScript} from '../transport/host-scripts.js'

/** A keyed spec hash starts with this; the old plain ones are bare hex. */
export const KEYED_PREFIX = 'hmac-sha256:'

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item))
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, canonical(item)]),
    )
  }
  return value
}

/** A spec as stable text: object keys sorted, so the order they were written in does not matter. */
export function specText(spec: unknown): string {
  return JSON.stringify(canonical(spec))
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** How a recorded hash matches a spec: keyed, the old plain form (to be rewritten), or not at all. */
export type SpecMatch = 'keyed' | 'plain' | false

/** A spec's hash on one host, and how to compare it with what was recorded. */
export interface SpecDigest {
  /** The keyed hash, what tk records from now on. */
  value: string
  matches(recorded: string | undefined): SpecMatch
}

/** The host's key, as spec hashes of one run on it use it. */
export class SpecHasher {
  constructor(private readonly key: Buffer) {}

  digest(text: string): SpecDigest {
    const value = `${KEYED_PREFIX}${createHmac('sha256', this.key).update(text).digest('hex')}`
    return {
      value,
      matches: (recorded) => (recorded === undefined ? false : recorded === value ? 'keyed' : recorded === sha256(text) ? 'plain' : false),
    }
  }
}

/**
 * The host's spec key, read once per run as root; made when the host has
 * none, unless this is a dry run (which changes nothing: it hashes with a
 * key of its own, never recorded, and only the old plain records match).
 */
export async function hostSpecHasher(target: string, root: Host, options: {dryRun: boolean}): Promise<SpecHasher> {
  const result = await root.run(await specKeyScript(options))
  if (result.code !== 0) throw specKeyUnreadable(target, result.stderr)
  return specHasherOf(target, result.stdout, options)
}

/** spec-key.sh, bound: made when missing unless this is a dry run. */
export function specKeyScript(options: {dryRun: boolean}): Promise<string> {
  return boundScript('spec-key.sh', [options.dryRun ? 'read' : 'create'])
}

export function specKeyUnreadable(target: string, stderr: string): HostStateError {
  return new HostStateError(`${target}: cannot read or make the host's spec key /var/lib/tk/spec.key: ${stderr.trim().split('\n').pop() || 'no message'}`)
}

/** The hasher of spec-key.sh's output. */
export function specHasherOf(target: string, output: string, options: {dryRun: boolean}): SpecHasher {
  const hex = output.trim()
  if (hex === '' && options.dryRun) return new SpecHasher(randomBytes(32))
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new HostStateError(`${target}: the host's spec key /var/lib/tk/spec.key is not 64 hex digits`, {hint: 'remove it as root: tk makes a new one (and reruns run: once provisioners)'})
  return new SpecHasher(Buffer.from(hex, 'hex'))
}
