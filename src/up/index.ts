/**
 * `tk up` as a service: every selected host of tk.yml brought to the state
 * the file describes, in parallel under a concurrency bound. One host failing
 * never stops the others; --max-fail stops starting new hosts after N failures.
 */

import {loadConfig} from '../config/index.js'
import type {TkConfig} from '../config/types.js'
import {ConfigurationError, InputError, UsageError} from '../errors/index.js'
import {combineExitCodes, countOutcomes, type FleetResult, fleetExitCode, reportingHosts} from '../fleet/result.js'
import {ExitCode} from '../errors/exit-codes.js'
import {failureOf, runFleet, type HostFailure, type HostOutcome} from '../fleet/runner.js'
import {type HostSession, withSessions} from '../fleet/host-session.js'
import {ALL_HOSTS, hostTarget, resolveTargets, type Target} from '../targets/index.js'
import type {SwarmAction, SwarmResult} from '../swarm/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {desiredEngine} from '../provision/engine-from-config.js'
import type {InstallScript} from '../provision/desired-engine.js'
import {loadInstallScript} from '../provision/index.js'
import {upHost, type UpResult, type UpStep} from './execute.js'
import {upWindows} from './rolling.js'
import {provisionerMaterials} from './converged.js'
import {registryAuths} from './registry-auth.js'
import {swarmDrainFromConfig} from '../swarm/drain.js'

export type {UpResult, UpStep} from './execute.js'

export interface UpOptions {
  config: TkConfig
  dryRun: boolean
  concurrency?: number
  /** Stop starting new hosts once this many have failed (a rolling run: 1 unless given). */
  maxFail?: number
  /** tk up --serial N: roll over the hosts N at a time (tk.yml's serial: per group applies too). */
  serial?: number
  /** Seconds to wait for another run's lock on a host. */
  waitSeconds: number
  skipCheck: boolean
  /** --force, --allow-downgrade: for a switch between docker.io and docker-ce (src/provision/engine-switch.ts). */
  engineSwitch?: {force?: boolean; allowDowngrade?: boolean}
  /** Shell provisioners to run again on purpose (tk up --rerun NAME). */
  rerun?: string[]
  /** tk up --full: no quick runs (src/up/converged.ts): every host checked in full. */
  full?: boolean
  /** For engines of method script. */
  installScript?: InstallScript
  tkVersion: string
  transport: TransportOptions
  onStart?: (target: string) => void
  onStep?: (target: string, step: UpStep) => void
  onActivity?: (target: string, activity: string) => void
  onDone?: (outcome: HostOutcome<UpResult>) => void
  /** A host's element of --json's hosts, as the host finishes (tk up --json-lines). */
  onHost?: (host: UpHostJson) => void
  /** Sandbox machines being made or started (image builds take minutes the first time). */
  onSandboxProgress?: (event: {target?: string; message: string}) => void
  /** Hosts taken out of tk.yml's swarm: leave it (managers demoted first). */
  prune?: boolean
  onSwarmAction?: (action: SwarmAction) => void
  /** A swarm's unlock key, just made (autolock): for a terminal, once; never in the result. */
  onUnlockKey?: (key: string, manager: string) => void
  /** Drain a swarm node whose engine restarts even when the other nodes cannot take all its tasks. */
  forceDrain?: boolean
  /** A swarm node's drain and return, as they go. */
  onSwarmProgress?: (target: string, text: string) => void
}

/** tk up's swarm phase: what it did, or why it stopped. */
export type UpSwarm = SwarmResult | {error: HostFailure}

/**
 * tk.yml (required: tk up works on the hosts it describes), the hosts named
 * (every host by default) and the install script for method: script hosts,
 * all read and checked before any host is touched.
 */
export async function resolveUpRequest(request: {
  hosts: string[]
  configPath?: string
  installScript?: string
  installScriptSha256?: string
  allowInsecureScript?: boolean
  rerun?: string[]
}): Promise<{config: TkConfig; targets: Target[]; installScript?: InstallScript}> {
  const config = await loadConfig({path: request.configPath, required: true, checkFiles: true})
  if (!config) throw new InputError('no tk.yml found')
  const targets = resolveTargets(config, request.hosts.length > 0 ? request.hosts : [ALL_HOSTS])
  if (targets.length === 0) throw new ConfigurationError(`${config.displayName} describes no hosts`, {hint: 'add hosts under hosts:'})
  for (const name of request.rerun ?? []) checkRerun(config, targets, name)
  if (request.installScriptSha256 && !request.installScript) throw new UsageError('--install-script-sha256 goes with --install-script')
  const installScript = request.installScript
    ? await loadInstallScript(request.installScript, {flag: '--install-script', sha256: request.installScriptSha256, allowInsecure: request.allowInsecureScript})
    : undefined
  return {config, targets, installScript}
}

/** --rerun NAME: a shell provisioner of tk.yml that applies to a selected host. */
function checkRerun(config: TkConfig, targets: Target[], name: string): void {
  const provisioner = config.provisioners.find((each) => each.name === name)
  if (!provisioner) {
    const shells = config.provisioners.filter((each) => each.type === 'shell').map((each) => each.name)
    throw new UsageError(`--rerun ${name}: ${config.displayName} has no provisioner of that name`, {hint: shells.length > 0 ? `its shell provisioners: ${shells.join(', ')}` : 'it has no shell provisioner'})
  }
  if (provisioner.type !== 'shell') {
    throw new UsageError(`--rerun ${name}: a ${provisioner.type} provisioner is compared with the host on every tk up and put back when it differs; --rerun is for shell provisioners`)
  }
  if (!targets.some((target) => target.host?.provisioners.includes(name))) {
    throw new UsageError(`--rerun ${name}: none of the selected hosts has that provisioner`, {hint: `it applies to ${provisioner.hosts.join(', ') || 'no host'}`})
  }
}

export interface UpHostJson {
  target: string
  ok: boolean
  /** Not started: --max-fail was reached, see reason. */
  skipped?: true
  reason?: string
  durationMs: number
  result?: UpResult
  error?: HostFailure
  /** For a failed host: the steps it went through, the failed one last. */
  steps?: UpStep[]
}

export type UpFleetResult = FleetResult<UpHostJson, {succeeded: number; failed: number; skipped: number; changed: number}, UpResult> & {
  dryRun: boolean
  /** Each host's steps as they were reported, for the account after a live run. */
  steps: Map<string, UpStep[]>
  /** When tk.yml has a swarm: section. */
  swarm?: UpSwarm
}

/** tk up on the selected hosts of tk.yml: each host's outcome, the fleet's summary and exit code. */
export async function upHosts(targets: Target[], options: UpOptions): Promise<UpFleetResult> {
  const steps = new Map<string, UpStep[]>()
  const hostJson = (outcome: HostOutcome<UpResult>) => upHostJson(outcome, steps.get(outcome.target) ?? [])
  const {outcomes, swarm} = await upEach(targets, {
    ...options,
    onStep: (target, step) => {
      steps.set(target, [...(steps.get(target) ?? []), step])
      options.onStep?.(target, step)
    },
    onDone: reportingHosts(hostJson, options.onHost, options.onDone),
  })
  return {
    dryRun: Boolean(options.dryRun),
    hosts: outcomes.map(hostJson),
    summary: {
      ...countOutcomes(outcomes),
      changed: outcomes.reduce((sum, outcome) => sum + (outcome.status === 'ok' ? outcome.value.changed : 0), 0),
    },
    exitCode: swarmExitCode(fleetExitCode(outcomes), swarm),
    outcomes,
    steps,
    ...(swarm ? {swarm} : {}),
  }
}

/** One host's element of tk up --json's hosts (and its line with --json-lines); `steps` are the host's steps as reported, kept for a failed host. */
export function upHostJson(outcome: HostOutcome<UpResult>, steps: UpStep[]): UpHostJson {
  const durationMs = Math.round(outcome.durationMs)
  if (outcome.status === 'ok') return {target: outcome.target, ok: true, durationMs, result: outcome.value}
  if (outcome.status === 'skipped') return {target: outcome.target, ok: false, skipped: true, reason: outcome.reason, durationMs}
  return {target: outcome.target, ok: false, durationMs, error: outcome.error, steps}
}

/** The fleet's exit code with the swarm phase's: a refusal or a failure there fails the run. */
function swarmExitCode(hosts: number, swarm: UpSwarm | undefined): number {
  if (!swarm) return hosts
  if ('error' in swarm) return combineExitCodes([hosts, swarm.error.exitCode])
  return swarm.refused.length > 0 ? combineExitCodes([hosts, ExitCode.FAILED]) : hosts
}

async function upEach(targets: Target[], options: UpOptions): Promise<{outcomes: Array<HostOutcome<UpResult>>; swarm?: UpSwarm}> {
  const hostless = targets.find((target) => !target.host)
  if (hostless) {
    throw new UsageError(`${hostless.name} is not a host of ${options.config.displayName}: tk up works on the hosts tk.yml describes`, {
      hint: 'add it under hosts:, or use tk provision for a one-off host',
    })
  }
  // Every host's desired state first: a mistake in tk.yml stops the run before any host is touched.
  // engine.bundle: each bundle read and checked (signature, hashes) here, once.
  const bundleFiles = targets.map((target) => target.host!.engine.bundle)
  const bundles = bundleFiles.some(Boolean) ? await (await import('../bundle/open.js')).soundBundles(bundleFiles) : []
  const desired = new Map(
    targets.map((target, index) => {
      const engine = desiredEngine(target.name, target.host!.engine, {script: options.installScript, skipCheck: options.skipCheck, ...options.engineSwitch})
      return [target.name, bundles[index] ? {...engine, bundle: bundles[index]} : engine]
    }),
  )
  const provisionersByName = new Map(options.config.provisioners.map((provisioner) => [provisioner.name, provisioner]))
  // Each provisioner's sources read and hashed once for quick runs, not once per host.
  const materials = provisionerMaterials()
  // Registry credentials read here (a credential helper may ask), before any host is touched; a dry run pulls nothing.
  const registryAuth = options.dryRun ? undefined : await registryAuths(options.config.registries, options.config.secrets)
  const sandboxPlan = await prepareSandboxHosts(targets, options)
  const {swarm} = options.config
  // The swarm's hosts outside the selection are read too (a manager's tokens), never changed.
  const swarmModule = swarm ? await import('../swarm/index.js') : undefined
  const beyond = swarmModule ? swarmModule.swarmHostsBeyond(options.config, targets).map((name) => hostTarget(options.config.hosts.find((host) => host.name === name)!, options.config.file)) : []
  return withSessions([...targets, ...beyond], options.transport, async (sessions) => {
    const names = targets.map((target) => target.name)
    // Swarm nodes whose engine restarts: one at a time (workers first), each checked and drained right before the restart.
    const drain = options.dryRun || !swarm
      ? undefined
      : swarmDrainFromConfig(sessions, names, swarm, {
          force: Boolean(options.forceDrain),
          onProgress: (target, text) => {
            options.onActivity?.(target, text)
            options.onSwarmProgress?.(target, text)
          },
        })
    const work = (name: string) => (drain ? drain.around(name, (beforeEngineRestart) => upOne(sessions.get(name), beforeEngineRestart)) : upOne(sessions.get(name)))
    const outcomes = await runFleet(drain ? drain.order(names) : names, work, {concurrency: options.concurrency, ...upWindows(targets, options.config, options), onStart: options.onStart, onDone: options.onDone})
    if (!swarm || !swarmModule) return {outcomes}
    const ready = new Set(outcomes.filter((outcome) => outcome.status === 'ok' && !sandboxPlan.has(outcome.target)).map((outcome) => outcome.target))
    try {
      const result = await swarmModule.upSwarm(swarm, sessions, {selected: new Set(targets.map((target) => target.name)), ready}, {
        dryRun: options.dryRun,
        prune: Boolean(options.prune),
        onAction: options.onSwarmAction,
        onUnlockKey: options.onUnlockKey,
      })
      return {outcomes, swarm: result}
    } catch (error) {
      const {error: failure, bug} = failureOf(error)
      if (bug) throw bug
      return {outcomes, swarm: {error: failure}}
    }
  })

  async function upOne(session: HostSession, beforeEngineRestart?: () => Promise<void>): Promise<UpResult> {
    const {name} = session
    const notYet = sandboxPlan.get(name)
    if (notYet) {
      // Shown like any planned step (they were left out of the account before).
      for (const step of notYet.steps) options.onStep?.(name, step)
      return notYet
    }
    options.onActivity?.(name, 'connecting')
    await session.open()
    return upHost(name, session, desired.get(name)!, session.target.host!.provisioners.map((each) => provisionersByName.get(each)!), options.config, {
        dryRun: options.dryRun,
        waitSeconds: options.waitSeconds,
        by: session.by,
        tkVersion: options.tkVersion,
        ...(options.rerun && options.rerun.length > 0 ? {rerun: new Set(options.rerun)} : {}),
        ...(options.full ? {full: true} : {}),
        materials,
        ...(registryAuth ? {registryAuth} : {}),
        onStep: options.onStep,
        onActivity: options.onActivity,
        ...(beforeEngineRestart ? {beforeEngineRestart} : {}),
      })
  }
}

/**
 * Sandbox hosts get their machines first: created (images built on first
 * use) or started. A dry run creates nothing: a host without a running
 * machine gets a plan of one step, returned here by name.
 */
async function prepareSandboxHosts(targets: Target[], options: UpOptions): Promise<Map<string, UpResult>> {
  const planned = new Map<string, UpResult>()
  const sandboxTargets = targets.filter((target) => target.provider === 'sandbox')
  if (sandboxTargets.length === 0) return planned
  const fleet = await import('../providers/sandbox/fleet.js')
  if (!options.dryRun) {
    await fleet.ensureSandboxHosts(sandboxTargets, {onProgress: options.onSandboxProgress})
    return planned
  }
  const {publishedPortsKey} = await import('../config/published-ports.js')
  for (const status of await fleet.describeSandboxHosts(sandboxTargets)) {
    const remake = status.publishedPorts !== undefined && publishedPortsKey(status.publishedPorts) !== publishedPortsKey(status.ports)
    if (status.state === 'running' && !remake) continue
    const create = status.state === 'not-created' || status.state === 'engine-not-running'
    const action = create
      ? `create the ${status.release} sandbox machine ${status.machine}`
      : remake
        ? `make sandbox machine ${status.machine}'s container again to ${fleet.portChange(status.publishedPorts!, status.ports)} (keeping its disk, host key and address)`
        : `start the ${status.release} sandbox machine ${status.machine}`
    planned.set(status.target, {
      target: status.target,
      dryRun: true,
      changed: 1,
      steps: [
        {
          kind: 'engine',
          id: 'machine',
          title: 'Sandbox machine',
          result: 'would-change',
          detail: `would ${action}, then converge it`,
          durationMs: 0,
        },
      ],
      notices: [],
      durationMs: 0,
    })
  }
  return planned
}
