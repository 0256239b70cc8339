/**
 * `tk check` over SSH on many hosts: one connection each, every fact in one
 * round trip (host-scripts/check-facts.sh), hosts in parallel.
 */
import {ExitCode} from '../errors/exit-codes.js'
import {type FleetResult, fleetExitCode, outcomeError} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import {runOnSessions} from '../fleet/host-session.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {checkHostWithScript, readCheckFactsScript, type CheckReport} from './index.js'

export interface CheckHostJson {
  target: string
  ok: boolean
  durationMs: number
  report?: CheckReport
  error?: HostFailure
}

export type FleetCheckResult = FleetResult<CheckHostJson, {passed: number; failed: number; unreachable: number}, CheckReport>

export async function checkHosts(
  targets: Target[],
  options: {concurrency?: number; transport: TransportOptions; onDone?: (outcome: HostOutcome<CheckReport>) => void},
): Promise<FleetCheckResult> {
  const script = await readCheckFactsScript()
  const outcomes = await runOnSessions(
    targets,
    options.transport,
    async (session) => {
      const report = await checkHostWithScript((await session.open()).login, script)
      // Name the report by what the user typed, not the resolved address.
      return {...report, target: session.name}
    },
    {concurrency: options.concurrency, onDone: options.onDone},
  )
  return checkFleetResult(outcomes)
}

/** A failing verdict is exit 1; an unreachable host its error's code. */
export function checkFleetResult(outcomes: Array<HostOutcome<CheckReport>>): FleetCheckResult {
  const hosts = outcomes.map((outcome) => checkHostJson(outcome))
  return {
    hosts,
    summary: {
      passed: outcomes.filter((outcome) => outcome.status === 'ok' && outcome.value.verdict === 'pass').length,
      failed: outcomes.filter((outcome) => outcome.status === 'ok' && outcome.value.verdict === 'fail').length,
      unreachable: outcomes.filter((outcome) => outcome.status !== 'ok').length,
    },
    exitCode: fleetExitCode(outcomes, (report) => (report.verdict === 'pass' ? 0 : ExitCode.FAILED)),
    outcomes,
  }
}

/** One host's element of tk check --json's hosts (and its line with --json-lines). */
export function checkHostJson(outcome: HostOutcome<CheckReport>): CheckHostJson {
  const durationMs = Math.round(outcome.durationMs)
  if (outcome.status === 'ok') return {target: outcome.target, ok: outcome.value.verdict === 'pass', durationMs, report: outcome.value}
  return {target: outcome.target, ok: false, durationMs, error: outcomeError(outcome)}
}
