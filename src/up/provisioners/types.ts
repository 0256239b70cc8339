/**
 * The contract every user provisioner kind (shell, file, docker) fulfils for
 * `tk up`: given its spec from tk.yml and what the host's state file says,
 * find out whether anything needs doing, and do it unless this is a dry run.
 */
import type {Provisioner} from '../../config/types.js'
import type {ProvisionHosts} from '../../provision/execute.js'
import type {HostState, ProvisionerRecord} from '../../facts/up-state.js'
import type {SpecDigest, SpecHasher} from '../spec-hash.js'

export interface ProvisionerContext {
  /** The host's name, for messages. */
  target: string
  /** The host as the login user and as root. */
  hosts: ProvisionHosts
  /** The host's state as read at the start of the run (read-only here). */
  state: HostState
  dryRun: boolean
  /** Values from the environment that must never be printed. */
  secrets: string[]
  /** Spec hashes keyed with the host's key (read once per run). */
  specs: SpecHasher
  /**
   * What the host's drift round trip (src/up/drift.ts) read for each provisioner, by name: taken
   * (once) instead of a round trip of the provisioner's own. Emptied as soon as a step changed the
   * host, since what it read may no longer hold.
   */
  prefetched?: Map<string, string>
  /** Shell provisioners to run again whatever their state says (tk up --rerun). */
  rerun?: ReadonlySet<string>
  /** X-Registry-Auth for an image's registry when tk.yml's registries: has its credentials (docker provisioners pull with it). */
  registryAuth?: (image: string) => string | undefined
  /** What a provisioner is doing now (a container's health wait), for live progress. */
  onProgress?: (text: string) => void
  /** Whether a file provisioner reads the host's copy of a changed file for its diff (false for tk status). */
  diffs?: boolean
}

export interface ProvisionerRun {
  /**
   * ok: nothing to do; changed: the host was changed; would-change: a dry run found work;
   * ran: a `run: always` command ran (whether it changed anything only it knows, so it is
   * not counted as a change); skipped: a dry run did not run such a command.
   */
  result: 'ok' | 'changed' | 'would-change' | 'ran' | 'skipped'
  /** One line for people: what held, or what was done. Never a secret. */
  detail: string
  /** The keyed hash of the spec, recorded in the state when the result is changed or ok. */
  specHash: string
  /** The state's record is the old plain hash of this same spec: rewritten keyed, when it ran kept. */
  rehash?: true
  /** What differs on the host from what tk applied there ("container missing", "1 file changed on the host"). */
  drift?: string[]
  /** Unified diffs of what it would change (or changed): file contents, container spec; never a secret. */
  diff?: string[]
}

/** Whether the provisioner trusts its record over the host: a file or docker one with drift: ignore and run: once. */
export function trustsRecord(provisioner: Provisioner): boolean {
  return provisioner.type !== 'shell' && provisioner.drift === 'ignore' && provisioner.run === 'once'
}

/** Takes the output the drift round trip read for this provisioner (once), if it read any. */
export function takePrefetched(context: ProvisionerContext, name: string): string | undefined {
  const output = context.prefetched?.get(name)
  context.prefetched?.delete(name)
  return output
}

/** `rehash` for a run whose state records this spec in the old plain form. */
export function rehashOf(spec: SpecDigest, record: ProvisionerRecord | undefined): {rehash?: true} {
  return record && spec.matches(record.specHash) === 'plain' ? {rehash: true} : {}
}

/** For a `run: once` provisioner whose state records this very spec: the run that does nothing; otherwise undefined. */
export function unchangedRun(spec: SpecDigest, record: ProvisionerRecord | undefined, detail: (record: ProvisionerRecord) => string): ProvisionerRun | undefined {
  if (!record || !spec.matches(record.specHash)) return undefined
  return {result: 'ok', detail: detail(record), specHash: spec.value, ...rehashOf(spec, record)}
}

/** Throws a UserError (one line, naming the host and provisioner) when the work fails. */
export type ProvisionerRunner<P extends Provisioner> = (provisioner: P, context: ProvisionerContext) => Promise<ProvisionerRun>

/** Output of a user's command with every secret value replaced by ***. */
export {hideSecrets} from '../../config/secrets.js'
