/**
 * `tk provision` as a service: reads the install script when one is named,
 * then provisions every host in parallel, one connection each.
 */
import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import {ConfigurationError, InputError, UsageError} from '../errors/index.js'
import {type FleetResult, fleetExitCode, outcomeError, reportingHosts} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {daemonPatch, isJsonObject, parseDaemonOpt, type JsonObject} from '../engine/daemon-config.js'
import {parseEngineRange} from '../engine/version-range.js'
import {accountNameProblem} from '../config/account-name.js'
import {selectTargets} from '../fleet/host-connector.js'
import {DEFAULT_DESIRED, type DesiredDaemonConfig, type DesiredEngine, type InstallMethod, type InstallScript, overlayDesired, type RepositoryRequest} from './desired-engine.js'
import {loadDockerRepository} from './docker-repository.js'
import {desiredEngine} from './engine-from-config.js'
import {provisionHost, type ProvisionHosts, type ProvisionResult, type StepOutcome} from './execute.js'
import {hostFactsRequest} from '../facts/host-facts.js'
import type {FetchVia} from '../fetch/workstation-fetch.js'
import {runOnSessions} from '../fleet/host-session.js'

export type {DesiredEngine} from './desired-engine.js'
export type {ProvisionResult, StepOutcome} from './execute.js'

export interface InstallScriptRules {
  /** The flag that names the script, for messages (--script, --install-script). */
  flag: string
  /** The script's sha256 (hex) as the user expects it: checked here and again on each host before it runs. */
  sha256?: string
  /** Take a plain http:// URL (or a redirect to one): what arrives may have been changed on the way. */
  allowInsecure?: boolean
}

/**
 * Reads an install script from a local path or an https URL (http only when
 * allowed: the script runs as root on every host). With a sha256, a script
 * whose hash differs is refused here, before any host is touched.
 */
export async function loadInstallScript(source: string, rules: InstallScriptRules = {flag: '--script'}): Promise<InstallScript> {
  const sha256 = rules.sha256?.toLowerCase()
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new UsageError(`${rules.flag}-sha256 ${rules.sha256}: expected 64 hex digits (sha256sum's output)`)
  const insecure = (url: string) =>
    new UsageError(`${rules.flag} ${url}: plain http can be changed on the way, and the script runs as root on every host`, {
      hint: `use an https URL or a local file, or pass --allow-insecure-script (with ${rules.flag}-sha256) to take that risk`,
    })
  let data: Buffer
  if (/^https?:\/\//i.test(source)) {
    if (/^http:/i.test(source) && !rules.allowInsecure) throw insecure(source)
    let response: Response
    try {
      response = await fetch(source, {signal: AbortSignal.timeout(30_000)})
    } catch (error) {
      throw new InputError(`cannot fetch the install script ${source}: ${(error as Error).message}`)
    }
    // fetch follows redirects: one from https to http is as unsafe as asking for http.
    if (/^http:/i.test(response.url) && !rules.allowInsecure) throw insecure(`${source} (redirected to ${response.url})`)
    if (!response.ok) throw new InputError(`cannot fetch the install script ${source}: HTTP ${response.status}`)
    data = Buffer.from(await response.arrayBuffer())
  } else {
    try {
      data = await readFile(source)
    } catch (error) {
      throw new InputError(`cannot read the install script ${source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
    }
  }
  const content = data.toString('utf8')
  if (content.trim() === '') throw new InputError(`the install script ${source} is empty`)
  if (sha256 !== undefined) {
    const got = createHash('sha256').update(data).digest('hex')
    if (got !== sha256) throw new InputError(`the install script ${source} has sha256 ${got}, not the ${sha256} ${rules.flag}-sha256 names: nothing was run`)
  }
  return {source, content, ...(sha256 === undefined ? {} : {sha256})}
}

/**
 * The daemon.json options of --daemon-config FILE and --daemon-opt key=value
 * (applied over the file, in order), or undefined when neither was given.
 */
export async function loadDaemonOptions(file: string | undefined, opts: string[]): Promise<DesiredDaemonConfig | undefined> {
  if (!file && opts.length === 0) return undefined
  let fromFile: JsonObject | undefined
  if (file) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new InputError(`cannot read the daemon config ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new ConfigurationError(`${file} is not valid JSON: ${(error as Error).message}`, {hint: 'give --daemon-config a daemon.json-style JSON object'})
    }
    if (!isJsonObject(value)) throw new ConfigurationError(`${file} is not a JSON object`, {hint: 'give --daemon-config a daemon.json-style JSON object'})
    fromFile = value
  }
  for (const text of opts) {
    try {
      parseDaemonOpt(text)
    } catch (error) {
      throw new UsageError((error as Error).message, {hint: 'e.g. --daemon-opt log-opts.max-size=10m or --daemon-opt live-restore=true'})
    }
  }
  return {patch: daemonPatch(fromFile, opts), sources: [...(file ? [file] : []), ...opts.map((text) => `--daemon-opt ${text}`)]}
}

/** What tk provision was asked on its command line; undefined where a flag was not given (tk.yml's engine: then decides). */
export interface ProvisionRequest {
  hosts: string[]
  configPath?: string
  method?: InstallMethod
  /** --script: a local file or an https URL (http with allowInsecureScript). */
  script?: string
  /** --script-sha256: the script's expected sha256. */
  scriptSha256?: string
  /** --allow-insecure-script: take a plain http:// script URL. */
  allowInsecureScript?: boolean
  /** --repository, --repository-key, --repository-fingerprint, --channel: for method docker, over tk.yml's engine.repository. */
  repository?: RepositoryRequest
  compose?: boolean
  dockerUsers: string[]
  engineVersion?: string
  daemonConfigFile?: string
  daemonOpts: string[]
  addLoginUser: boolean
  skipCheck: boolean
  smokeImage?: string
  force: boolean
  /** --allow-downgrade: a switch between docker.io and docker-ce may go to an older engine. */
  allowDowngrade?: boolean
  restart: boolean
  /** --bundle: an offline bundle of the engine to install from (over tk.yml's engine.bundle). */
  bundle?: string
  /** --fetch-via: over tk.yml's engine.fetch. */
  fetch?: FetchVia
}

/**
 * The hosts a provision request names and each one's desired engine: a host
 * of tk.yml starts from its engine: settings, as tk up would converge it, the
 * command line's flags over them; a raw target gets the flags over tk's
 * defaults. Every input is read and checked here, before any host is touched.
 */
export async function resolveProvisionRequest(request: ProvisionRequest): Promise<{targets: Target[]; desired: (target: string) => DesiredEngine}> {
  for (const user of request.dockerUsers) {
    const problem = accountNameProblem(user)
    if (problem) throw new UsageError(`--docker-user ${problem}`)
  }
  if (request.method === 'script' && !request.script) throw new UsageError('--method script needs --script FILE|URL')
  if (request.method !== undefined && request.method !== 'script' && request.script) throw new UsageError('--script goes with --method script')
  const targets = await selectTargets(request.hosts, request.configPath)
  if (request.script && request.method === undefined && !targets.every((target) => target.host?.engine.method === 'script')) {
    throw new UsageError('--script goes with --method script', {hint: 'or with hosts whose tk.yml engine method is script'})
  }
  if (request.scriptSha256 && !request.script) throw new UsageError('--script-sha256 goes with --script')
  const script = request.script ? await loadInstallScript(request.script, {flag: '--script', sha256: request.scriptSha256, allowInsecure: request.allowInsecureScript}) : undefined
  const repository = request.repository && Object.values(request.repository).some((value) => value !== undefined) ? request.repository : undefined
  if (repository && request.method !== 'docker' && !targets.every((target) => target.host?.engine.method === 'docker')) {
    throw new UsageError('--repository, --repository-key and --channel go with --method docker', {hint: 'or with hosts whose tk.yml engine method is docker'})
  }
  if (repository?.key !== undefined && repository.fingerprint === undefined) throw new UsageError('--repository-key needs --repository-fingerprint: the key is trusted only with the fingerprint it must have')
  const overrides = {
    method: request.method,
    script,
    ...(repository ? {repository: Object.fromEntries(Object.entries(repository).filter(([, value]) => value !== undefined)) as RepositoryRequest} : {}),
    compose: request.compose,
    dockerUsers: request.dockerUsers,
    engineVersion: request.engineVersion === undefined ? undefined : parseEngineRange(request.engineVersion),
    daemonConfig: await loadDaemonOptions(request.daemonConfigFile, request.daemonOpts),
    addLoginUser: request.addLoginUser,
    skipCheck: request.skipCheck,
    smokeImage: request.smokeImage,
    force: request.force,
    allowDowngrade: request.allowDowngrade,
    restart: request.restart,
    fetch: request.fetch,
  }
  if (request.bundle && request.method === 'script') throw new UsageError('--bundle goes with the distro or docker method, not --method script')
  // Each bundle is read and checked (signature, hashes) once, here: a bad one stops the run before any host is touched.
  const bundleFiles = targets.map((target) => request.bundle ?? target.host?.engine.bundle)
  const bundles = bundleFiles.some(Boolean) ? await (await import('../bundle/open.js')).soundBundles(bundleFiles) : []
  const desired = new Map(
    targets.map((target, index) => {
      const base = target.host
        ? desiredEngine(target.name, {...target.host.engine, ...(overrides.method ? {method: overrides.method} : {})}, {script, skipCheck: overrides.skipCheck, scriptFlag: '--script'})
        : DEFAULT_DESIRED
      return [target.name, overlayDesired(base, {...overrides, bundle: bundles[index]})] as const
    }),
  )
  // Each repository's key is read and its fingerprint checked now, before any host is touched.
  await Promise.all([...desired.values()].filter((engine) => engine.method === 'docker' && !engine.bundle).map((engine) => loadDockerRepository(engine.repository ?? {})))
  return {targets, desired: (name) => desired.get(name)!}
}

export interface ProvisionFleetOptions {
  /** Each host's desired engine: the command line's, over tk.yml's `engine:` for its hosts. */
  desired: (target: string) => DesiredEngine
  dryRun?: boolean
  concurrency?: number
  transport: TransportOptions
  onStep?: (target: string, outcome: StepOutcome) => void
  /** Seconds to wait for another tk run's lock on a host (tk up, tk upgrade); 0 fails at once. Default 300. */
  waitSeconds?: number
  /** Another run holds a host's lock: who, for the user. */
  onWait?: (target: string, holder: string) => void
  /** A host's element of --json's hosts, as the host finishes (tk provision --json-lines). */
  onHost?: (host: ProvisionHostJson) => void
}

export interface ProvisionHostJson {
  target: string
  ok: boolean
  durationMs: number
  result?: ProvisionResult
  error?: HostFailure
  /** For a failed host: the steps it went through, the failed one last. */
  steps?: StepOutcome[]
}

export type ProvisionFleetResult = FleetResult<ProvisionHostJson, {succeeded: number; failed: number; changed: number}, ProvisionResult>

export async function provisionHosts(targets: Target[], options: ProvisionFleetOptions): Promise<ProvisionFleetResult> {
  const seen = new Map<string, StepOutcome[]>()
  const hostJson = (outcome: HostOutcome<ProvisionResult>) => provisionHostJson(outcome, seen.get(outcome.target) ?? [])
  const outcomes = await provisionEach(targets, {
    ...options,
    onStep: (target, outcome) => {
      seen.set(target, [...(seen.get(target) ?? []), outcome])
      options.onStep?.(target, outcome)
    },
  }, reportingHosts(hostJson, options.onHost))
  return {
    hosts: outcomes.map(hostJson),
    summary: {
      succeeded: outcomes.filter((outcome) => outcome.status === 'ok').length,
      failed: outcomes.filter((outcome) => outcome.status !== 'ok').length,
      changed: outcomes.reduce((sum, outcome) => sum + (outcome.status === 'ok' ? outcome.value.changed : 0), 0),
    },
    exitCode: fleetExitCode(outcomes),
    outcomes,
  }
}

/** One host's element of tk provision --json's hosts (and its line with --json-lines); `steps`, the host's steps as reported, are kept for a failed host. */
export function provisionHostJson(outcome: HostOutcome<ProvisionResult>, steps: StepOutcome[]): ProvisionHostJson {
  const durationMs = Math.round(outcome.durationMs)
  if (outcome.status === 'ok') return {target: outcome.target, ok: true, durationMs, result: outcome.value}
  return {target: outcome.target, ok: false, durationMs, error: outcomeError(outcome), steps}
}

async function provisionEach(targets: Target[], options: ProvisionFleetOptions, onDone?: (outcome: HostOutcome<ProvisionResult>) => void): Promise<Array<HostOutcome<ProvisionResult>>> {
  return runOnSessions(
    targets,
    options.transport,
    async (session) => {
      const {name} = session
      const hosts: ProvisionHosts = await session.open()
      // The facts are gathered in the lock's own round trip, as soon as the lock is held.
      const facts = await hostFactsRequest(hosts.login, {users: options.desired(name).dockerUsers})
      const locking = {
        dryRun: options.dryRun,
        waitSeconds: options.waitSeconds,
        command: 'tk provision',
        onWait: (holder: string) => options.onWait?.(name, holder),
        roundTrip: {script: facts.script, onLocked: facts.start},
      }
      return session.withLock(locking, (gathered) =>
        provisionHost(name, hosts, options.desired(name), {
          facts: gathered && {request: facts, result: gathered},
          dryRun: options.dryRun,
          onStep: options.onStep,
          reconnect: () => session.reconnect(),
        }),
      )
    },
    {concurrency: options.concurrency, onDone},
  )
}
