/**
 * `tk reboot`: hosts rebooted `serial` at a time, each waited for until it
 * answers from its new boot (src/fleet/reboot.ts), under the host's lock so
 * that no other tk run is changing it meanwhile. Sandbox machines are made
 * to start again by themselves when their init stops for the reboot.
 */
import {type FleetCounts, type FleetResult, fleetResultOf, hostResultJson, reportingHosts} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import {runOnSessions} from '../fleet/host-session.js'
import {rebootHost, type RebootReport} from '../fleet/reboot.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'

export interface RebootFleetOptions {
  /** How many hosts are rebooted at once. */
  serial: number
  /** Start no new host after this many failed. */
  maxFail?: number
  /** Per host: down and back up within this. */
  timeoutMs: number
  /** Seconds to wait for another tk run's lock on a host. */
  waitSeconds?: number
  transport: TransportOptions
  onProgress?: (target: string, text: string) => void
  onDone?: (outcome: HostOutcome<RebootReport>) => void
  /** A host's element of --json's hosts, as the host finishes (tk reboot --json-lines). */
  onHost?: (host: RebootHostJson) => void
}

export interface RebootHostJson {
  target: string
  ok: boolean
  result?: RebootReport
  error?: HostFailure
}

export type RebootFleetResult = FleetResult<RebootHostJson, FleetCounts, RebootReport>

export async function rebootHosts(targets: Target[], options: RebootFleetOptions): Promise<RebootFleetResult> {
  const outcomes = await runOnSessions(
    targets,
    options.transport,
    (session) =>
      session.withLock({command: 'tk reboot', waitSeconds: options.waitSeconds, onWait: (holder) => options.onProgress?.(session.name, `waiting for the host's lock (held by ${holder})`)}, () =>
        rebootHost(session, {
          timeoutMs: options.timeoutMs,
          onProgress: (text) => options.onProgress?.(session.name, text),
        }),
      ),
    {concurrency: options.serial, maxFail: options.maxFail, onDone: reportingHosts(hostResultJson, options.onHost, options.onDone)},
  )
  return fleetResultOf(outcomes)
}
