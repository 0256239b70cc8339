/**
 * `tk destroy`: sandbox machines are tk's own and are removed with their
 * volumes; ssh hosts are not tk's, so the most tk does there, asked with
 * --uninstall-engine, is remove the Docker engine's packages and say what
 * data stays. The plan is checked before anything is touched.
 */
import {HostStateError, UsageError} from '../errors/index.js'
import {type FleetResult, fleetExitCode, outcomeError} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import {boundScript} from '../transport/host-scripts.js'
import {runOnSessions} from '../fleet/host-session.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'

export interface DestroyOptions {
  /** The tk.yml of the hosts (absolute path): the tunnels to removed machines are found by it. */
  project?: string
  /** Remove the Docker engine's packages instead (ssh hosts) or as well as nothing else (sandbox machines are kept). */
  uninstallEngine: boolean
  concurrency?: number
  transport: TransportOptions
  onProgress?: (event: {target?: string; message: string}) => void
}

export interface EngineRemoval {
  /** The packages removed (apt-get remove: their data and config files stay); empty when none was installed. */
  removed: string[]
  /** Purge scripts tk made inert so that a later purge keeps the data too (docker.io's nuke-graph-directory.sh). */
  disarmed: string[]
  /** Data left on the host (paths). */
  kept: string[]
}

export type DestroyResult =
  | {action: 'machine-removed' | 'machine-absent'; machine: string; tunnelsStopped?: number[]}
  | ({action: 'engine-uninstalled'} & EngineRemoval)

/** What --uninstall-engine does to a host, as the prompt and the help say it. */
export const UNINSTALL_SUMMARY =
  "stop the Docker engine and remove its packages (apt-get remove, not purge); its images, containers and volumes (/var/lib/docker, /var/lib/containerd) and its config (/etc/docker) stay"

/** What tk destroy will do to each target, or why it refuses; pure. */
export function planDestroy(targets: readonly Target[], uninstallEngine: boolean): string[] {
  if (uninstallEngine) return targets.map((target) => `${target.name}: ${UNINSTALL_SUMMARY}`)
  const foreign = targets.filter((target) => target.provider !== 'sandbox')
  if (foreign.length > 0) {
    const names = foreign.map((target) => target.name).join(', ')
    throw new UsageError(`${names} ${foreign.length === 1 ? 'is an ssh host' : 'are ssh hosts'}: tk destroy removes only sandbox machines tk created`, {
      hint: '--uninstall-engine removes the Docker engine from them instead',
    })
  }
  return targets.map((target) => `${target.name}: remove its sandbox machine and volumes`)
}

/** Parses uninstall-engine.sh's "removed PKG", "disarmed PATH" and "kept PATH" lines. */
export function parseEngineRemoval(stdout: string): EngineRemoval {
  const lines = stdout.split('\n').map((line) => line.trim())
  return {
    removed: lines.filter((line) => line.startsWith('removed ')).map((line) => line.slice(8)),
    disarmed: lines.filter((line) => line.startsWith('disarmed ')).map((line) => line.slice(9)),
    kept: lines.filter((line) => line.startsWith('kept ')).map((line) => line.slice(5)),
  }
}

export interface DestroyHostJson {
  target: string
  ok: boolean
  result?: DestroyResult
  error?: HostFailure
}

export type DestroyFleetResult = FleetResult<DestroyHostJson, {succeeded: number; failed: number}, DestroyResult>

export async function destroyHosts(targets: Target[], options: DestroyOptions): Promise<DestroyFleetResult> {
  const outcomes = await destroyEach(targets, options)
  return {
    hosts: outcomes.map((outcome): DestroyHostJson => {
      if (outcome.status === 'ok') return {target: outcome.target, ok: true, result: outcome.value}
      return {target: outcome.target, ok: false, error: outcomeError(outcome)}
    }),
    summary: {succeeded: outcomes.filter((outcome) => outcome.status === 'ok').length, failed: outcomes.filter((outcome) => outcome.status !== 'ok').length},
    exitCode: fleetExitCode(outcomes),
    outcomes,
  }
}

async function destroyEach(targets: Target[], options: DestroyOptions): Promise<Array<HostOutcome<DestroyResult>>> {
  planDestroy(targets, options.uninstallEngine)
  if (options.uninstallEngine) return uninstallEngines(targets, options)

  // A failure here (no root, no engine) is the whole command's: one line, not one per host.
  const {destroySandboxHosts} = await import('../providers/sandbox/fleet.js')
  const started = performance.now()
  const removals = await destroySandboxHosts(targets, {onProgress: options.onProgress})
  // With the machines gone, their tunnels (tk docker leaves one running per host) could only retry forever.
  const {stopProjectTunnels} = await import('../proxy/service.js')
  const tunnels = await stopProjectTunnels(removals.map((removal) => removal.target), options.project)
  const durationMs = performance.now() - started
  return removals.map((removal) => {
    const stopped = tunnels.filter((state) => state.host === removal.target).map((state) => state.pid)
    return {
      target: removal.target,
      status: 'ok' as const,
      value: {action: removal.removed ? ('machine-removed' as const) : ('machine-absent' as const), machine: removal.machine, ...(stopped.length > 0 ? {tunnelsStopped: stopped} : {})},
      durationMs,
    }
  })
}

async function uninstallEngines(targets: Target[], options: DestroyOptions): Promise<Array<HostOutcome<DestroyResult>>> {
  const script = await boundScript('uninstall-engine.sh')
  return runOnSessions(
    targets,
    options.transport,
    async (session) => {
      const {name} = session
      const host = (await session.open()).root
      options.onProgress?.({target: name, message: 'removing the Docker engine'})
      const result = await host.run(script)
      if (result.code !== 0) {
        const last = result.stderr.trim().split('\n').slice(-1)[0] ?? ''
        throw new HostStateError(`${name}: removing the engine's packages failed (exit ${result.code}): ${last}`)
      }
      return {action: 'engine-uninstalled' as const, ...parseEngineRemoval(result.stdout)}
    },
    {concurrency: options.concurrency},
  )
}
