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
