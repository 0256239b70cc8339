/**
 * Drift: what a file or docker provisioner's result looks like on the host
 * now, read for all of a host's provisioners in one root round trip (with
 * the host's spec key), so that a re-run of a converged host costs no round
 * trip per provisioner. `tk up` takes it as soon as it holds the host's lock;
 * `tk status` uses it, with the provisioners' own dry runs, to say what
 * drifted ("web: container web missing").
 */
import type {DockerProvisioner, FileProvisioner, Provisioner, TkConfig} from '../config/types.js'
import type {Target} from '../targets/index.js'
import {FactSections} from '../facts/sections.js'
import {readHostState} from '../facts/up-state.js'
import type {ProvisionHosts} from '../provision/execute.js'
import type {Host} from '../transport/host.js'
import {shQuote} from '../transport/sh-quote.js'
import {dockerFactsOverApi, dockerFactsScript, runDockerProvisioner} from './provisioners/docker.js'
import {fileStateScript, runFileProvisioner} from './provisioners/file.js'
import {trustsRecord} from './provisioners/types.js'
import {specHasherOf, specKeyScript, specKeyUnreadable, type SpecHasher} from './spec-hash.js'

export interface DriftFacts {
  specs: SpecHasher
  /** Each checked provisioner's facts script output, by name (only those whose script succeeded). */
  outputs: Map<string, string>
  /** What the engine's API answered for docker provisioners, by name (tk up's record of a check: src/up/converged.ts). */
  apiAnswers: ReadonlyMap<string, string>
}

/** The provisioners whose result tk compares with the host (file and docker, not drift: ignore). */
export function watched(provisioners: Provisioner[]): Array<FileProvisioner | DockerProvisioner> {
  return provisioners.filter((each): each is FileProvisioner | DockerProvisioner => each.type !== 'shell' && !trustsRecord(each))
}

/**
 * One script: the spec key (spec-key.sh), then each watched provisioner's facts script in a shell
 * of its own, as sections "@@tk:p-N" and "@@tk:p-N-exit" (its exit code). A provisioner's failing
 * script (no engine yet) leaves it out: the provisioner then reads the host itself and says why.
 */
export async function driftScript(provisioners: Provisioner[], options: {dryRun: boolean}): Promise<{script: string; names: string[]}> {
  const checked = watched(provisioners)
  // A source or archive that cannot be read is left out here: the provisioner itself says why.
  const scripts = await Promise.all(checked.map((each) => (each.type === 'file' ? fileStateScript(each) : dockerFactsScript(each)).catch(() => undefined)))
  const names: string[] = []
  const parts = ['set -u', "printf '@@tk:spec-key\\n'", `sh -c ${shQuote(await specKeyScript(options))} || exit $?`, 'echo']
  for (const [index, script] of scripts.entries()) {
    if (script === undefined) continue
    names.push(checked[index].name)
    const n = names.length - 1
    parts.push(`printf '@@tk:p-${n}\\n'`, `code=0; sh -c ${shQuote(script)} 2>/dev/null || code=$?`, `printf '\\n@@tk:p-${n}-exit\\n%s\\n' "$code"`)
  }
  return {script: parts.join('\n'), names}
}

/**
 * Runs the drift round trip as root. Docker provisioners are asked through the engine's API over
 * the connection first (no docker CLI started on the host); those the API did not answer (the login
 * user not in the docker group) are read by the round trip's script as root.
 */
export async function gatherDrift(target: string, root: Host, provisioners: Provisioner[], options: {dryRun: boolean}): Promise<DriftFacts> {
  const outputs = new Map<string, string>()
  const docker = watched(provisioners).filter((each): each is DockerProvisioner => each.type === 'docker')
  await Promise.all(
    docker.map(async (each) => {
      const answer = await dockerFactsOverApi(root, each).catch(() => undefined)
      if (answer !== undefined) outputs.set(each.name, answer)
    }),
  )
  const apiAnswers = new Map(outputs)
  const {script, names} = await driftScript(
    provisioners.filter((each) => !outputs.has(each.name)),
    options,
  )
  const result = await root.run(script)
  if (result.code !== 0) throw specKeyUnreadable(target, result.stderr)
  const sections = new FactSections(result.stdout)
  for (const [index, name] of names.entries()) {
    if (sections.lines(`p-${index}-exit`)[0] === '0') outputs.set(name, sections.body(`p-${index}`))
  }
  return {specs: specHasherOf(target, sections.lines('spec-key').join(''), options), outputs, apiAnswers}
}

/** One provisioner's drift, for tk status. */
export interface ProvisionerDrift {
  name: string
  type: 'file' | 'docker'
  /** What changed on the host since tk applied it; empty when nothing did. */
  drift: string[]
  /** tk up would change it for another reason (tk.yml changed, never applied), in its own words. */
  pending?: string
}

/**
 * tk status's drift check of a host: the drift round trip (the key only read), the state, then each
 * watched provisioner's dry run on what was read. Never changes the host.
 */
export async function checkDrift(target: string, hosts: ProvisionHosts, provisioners: Provisioner[], secrets: string[]): Promise<ProvisionerDrift[]> {
  const checked = watched(provisioners)
  if (checked.length === 0) return []
  const [facts, state] = await Promise.all([gatherDrift(target, hosts.root, checked, {dryRun: true}), readHostState(hosts.login)])
  const context = {target, hosts, state, dryRun: true, secrets, specs: facts.specs, prefetched: facts.outputs, diffs: false}
  const found: ProvisionerDrift[] = []
  for (const provisioner of checked) {
    // eslint-disable-next-line no-await-in-loop -- each is planned from what was read; a docker archive is read here
    const run = provisioner.type === 'file' ? await runFileProvisioner(provisioner, context) : await runDockerProvisioner(provisioner, context)
    const pending = run.result === 'would-change' && !run.drift ? {pending: run.detail} : {}
    found.push({name: provisioner.name, type: provisioner.type, drift: run.drift ?? [], ...pending})
  }
  return found
}

/**
 * tk status's drift check for tk.yml's hosts, from the tk.yml tk status read (secrets deferred):
 * undefined when there is none, when a provisioner's or daemon option's variable is unset (what
 * tk up would apply is not known), or when none of its provisioners is watched. A host without
 * watched provisioners answers undefined (nothing shown).
 */
export function statusDriftCheck(config: TkConfig | undefined): ((target: Target, hosts: ProvisionHosts) => Promise<ProvisionerDrift[] | undefined>) | undefined {
  if (!config || config.deferredEnv.length > 0 || watched(config.provisioners).length === 0) return undefined
  const byName = new Map(config.provisioners.map((provisioner) => [provisioner.name, provisioner]))
  return async (target, hosts) => {
    const provisioners = (target.host?.provisioners ?? []).map((name) => byName.get(name)!).filter(Boolean)
    if (watched(provisioners).length === 0) return undefined
    return checkDrift(target.name, hosts, provisioners, config.secrets)
  }
}
