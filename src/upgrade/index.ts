/**
 * `tk upgrade` as a service: connects to the hosts and rolls the upgrade
 * across them, `serial` at a time, stopping after `maxFail` failures.
 */
import {withSessions} from '../fleet/host-session.js'
import {runFleet} from '../fleet/runner.js'
import {prepareSwarmDrain} from '../swarm/drain.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {UpgradeFailed, upgradeHost, type UpgradeHostOptions, type UpgradeResult, type UpgradeStepOutcome} from './execute.js'
import type {PackageMove} from './plan.js'
import {type FleetResult, fleetExitCode, reportingHosts} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'

export {UpgradeFailed, type UpgradeResult, type UpgradeStepOutcome} from './execute.js'
export type {PackageMove} from './plan.js'
export type {HostOutcome} from '../fleet/runner.js'

export interface UpgradeFleetOptions extends Omit<UpgradeHostOptions, 'onStep'> {
  serial?: number
  /** How many hosts a dry run asks at once: it changes nothing, so it does not roll. */
  concurrency?: number
  maxFail?: number
  transport: TransportOptions
  onStart?: (target: string) => void
  onStep?: (target: string, outcome: UpgradeStepOutcome) => void
  onDone?: (outcome: HostOutcome<UpgradeResult>) => void
  /** A host's element of --json's hosts, as the host finishes (tk upgrade --json-lines). */
  onHost?: (host: UpgradeHostJson) => void
  /** Seconds to wait for another tk run's lock on a host; 0 fails at once. Default 300. */
  waitSeconds?: number
  /** Another run holds a host's lock: who, for the user. */
  onWait?: (target: string, holder: string) => void
  /** tk.yml's swarm hosts that are not upgraded: managers tk may ask to drain the others (never changed). */
  swarmHosts?: Target[]
  /** Drain a swarm node even when the other nodes cannot take all its tasks. */
  forceDrain?: boolean
  /** A swarm node's drain and return, as they go. */
  onSwarmProgress?: (target: string, text: string) => void
}

export interface UpgradeHostJson {
  target: string
  status: 'ok' | 'failed' | 'skipped'
  startedAt?: string
  finishedAt?: string
  durationMs: number
  result?: UpgradeResult
  error?: HostFailure & {journal?: string[]; rolledBack?: boolean; engineRunning?: boolean; packages?: PackageMove[]}
  reason?: string
}

export type UpgradeFleetResult = FleetResult<UpgradeHostJson, {upgraded: number; current: number; failed: number; skipped: number}, UpgradeResult>

/** A rolling upgrade: `serial` hosts at a time, no new host after `maxFail` failures, the rest skipped. */
export async function upgradeHosts(targets: Target[], options: UpgradeFleetOptions): Promise<UpgradeFleetResult> {
  const outcomes = await upgradeEach(targets, {...options, onDone: reportingHosts(upgradeHostJson, options.onHost, options.onDone)})
  return {
    hosts: outcomes.map(upgradeHostJson),
    summary: {
      upgraded: outcomes.filter((outcome) => outcome.status === 'ok' && outcome.value.changed > 0).length,
      current: outcomes.filter((outcome) => outcome.status === 'ok' && outcome.value.changed === 0).length,
      failed: outcomes.filter((outcome) => outcome.status === 'failed').length,
      skipped: outcomes.filter((outcome) => outcome.status === 'skipped').length,
    },
    exitCode: fleetExitCode(outcomes),
    outcomes,
  }
}

/** One host's element of tk upgrade --json's hosts (and its line with --json-lines). */
export function upgradeHostJson(outcome: HostOutcome<UpgradeResult>): UpgradeHostJson {
  const time = {
    ...(outcome.startedAt ? {startedAt: outcome.startedAt, finishedAt: outcome.finishedAt} : {}),
    durationMs: Math.round(outcome.durationMs),
  }
  if (outcome.status === 'ok') return {target: outcome.target, status: 'ok', ...time, result: outcome.value}
  if (outcome.status === 'skipped') return {target: outcome.target, status: 'skipped', ...time, reason: outcome.reason}
  const details = outcome.cause instanceof UpgradeFailed ? outcome.cause.details : undefined
  return {target: outcome.target, status: 'failed', ...time, error: {...outcome.error, ...details}}
}

/**
 * How the fleet runner goes through the hosts: an upgrade rolls, `serial` at
 * a time, stopping after `maxFail` failures; a dry run changes nothing, so it
 * asks every host in parallel (`concurrency`) and reports them all.
 */
export function upgradeWindow(options: Pick<UpgradeFleetOptions, 'dryRun' | 'serial' | 'maxFail' | 'concurrency'>): {concurrency?: number; maxFail?: number} {
  return options.dryRun ? {concurrency: options.concurrency} : {concurrency: options.serial, maxFail: options.maxFail}
}

async function upgradeEach(targets: Target[], options: UpgradeFleetOptions): Promise<Array<HostOutcome<UpgradeResult>>> {
  const beyond = (options.swarmHosts ?? []).filter((host) => !targets.some((target) => target.name === host.name))
  return withSessions([...targets, ...beyond], options.transport, async (sessions) => {
    const names = targets.map((target) => target.name)
    // Swarm nodes: checked before anything happens, then one at a time (workers first), each drained before its engine restarts.
    const swarm = options.dryRun
      ? undefined
      : await prepareSwarmDrain(sessions, names, beyond.map((host) => host.name), {force: Boolean(options.forceDrain), onProgress: options.onSwarmProgress})
    const work = async (name: string) => {
      const session = sessions.get(name)
      const {root} = await session.open()
      // The host's lock (tk up, tk provision): no other run restarts the engine while packages change.
      const locking = {dryRun: options.dryRun, waitSeconds: options.waitSeconds, command: 'tk upgrade', onWait: (holder: string) => options.onWait?.(name, holder)}
      // --fetch-via, else the host's engine.fetch in tk.yml.
      const fetch = options.fetch ?? session.target.host?.engine.fetch
      return session.withLock(locking, () =>
        swarm ? swarm.around(name, (beforeApply) => upgradeHost(name, root, {...options, fetch, beforeApply})) : upgradeHost(name, root, {...options, fetch}),
      )
    }
    return runFleet(swarm ? swarm.order(names) : names, work, {...upgradeWindow(options), onStart: options.onStart, onDone: options.onDone})
  })
}
