/**
 * What a run on many hosts adds up to, computed in one place for every
 * command: how many hosts succeeded, failed and were skipped, and the exit
 * code. Commands map outcomes to their documented per-host JSON and return a
 * FleetResult; src/cli renders it and sets the exit code.
 */
import type {HostFailure, HostOutcome} from './runner.js'

export interface FleetCounts {
  succeeded: number
  failed: number
  skipped: number
}

/**
 * A command's result on many hosts, as its service returns it: the per-host
 * entries and summary (each command's documented JSON), the exit code they
 * add up to, and the runner's outcomes for renderers. The CLI sets the exit
 * code and prints the rest; --json leaves out `outcomes` and `exitCode` (the
 * process's exit status carries it).
 */
export interface FleetResult<H, S = FleetCounts, T = unknown> {
  hosts: H[]
  summary: S
  exitCode: number
  outcomes: Array<HostOutcome<T>>
}

/**
 * One exit code for many: 0 when all are 0; otherwise the code the failures
 * share, or FAILED (1) when they differ.
 */
export function combineExitCodes(codes: number[]): number {
  const failures = codes.filter((code) => code !== 0)
  if (failures.length === 0) return 0
  return failures.every((code) => code === failures[0]) ? failures[0] : 1
}

/**
 * The exit code of a fleet run. A failed host counts with its error's code,
 * a host that ran with what `codeOfValue` says of its result (a failed check,
 * a command's non-zero exit: 1), a skipped host not at all: it was skipped
 * because others failed, and their codes say why.
 */
export function fleetExitCode<T>(outcomes: Array<HostOutcome<T>>, codeOfValue: (value: T) => number = () => 0): number {
  return combineExitCodes(
    outcomes.flatMap((outcome) => {
      if (outcome.status === 'ok') return [codeOfValue(outcome.value)]
      if (outcome.status === 'failed') return [outcome.error.exitCode]
      return []
    }),
  )
}

export function countOutcomes<T>(outcomes: Array<HostOutcome<T>>): FleetCounts {
  return {
    succeeded: outcomes.filter((outcome) => outcome.status === 'ok').length,
    failed: outcomes.filter((outcome) => outcome.status === 'failed').length,
    skipped: outcomes.filter((outcome) => outcome.status === 'skipped').length,
  }
}

/** A host's message, named after the host unless it already starts with its name (errors from plans do). */
export function messageForHost(target: string, message: string): string {
  return message.startsWith(`${target}:`) ? message : `${target}: ${message}`
}

/**
 * A host that did not finish, as its per-host JSON's `error`: the failure, or
 * why it was skipped — exit code 0 for a skip, since the failures that
 * stopped the run carry the codes.
 */
export function outcomeError(outcome: Exclude<HostOutcome<unknown>, {status: 'ok'}>): HostFailure {
  return outcome.status === 'failed' ? outcome.error : {message: outcome.reason, exitCode: 0}
}

/** Per-host JSON of a command whose hosts each return one result: the result, or the failure (or skip). */
export interface HostResultJson<T> {
  target: string
  ok: boolean
  result?: T
  error?: HostFailure
}

/** One host's per-host JSON of such a command. */
export function hostResultJson<T>(outcome: HostOutcome<T>): HostResultJson<T> {
  return outcome.status === 'ok' ? {target: outcome.target, ok: true, result: outcome.value} : {target: outcome.target, ok: false, error: outcomeError(outcome)}
}

/** The fleet result of such a command: per-host JSON, the counts and the exit code of its outcomes. */
export function fleetResultOf<T>(outcomes: Array<HostOutcome<T>>): FleetResult<HostResultJson<T>, FleetCounts, T> {
  return {
    hosts: outcomes.map((outcome) => hostResultJson(outcome)),
    summary: countOutcomes(outcomes),
    exitCode: fleetExitCode(outcomes),
    outcomes,
  }
}

/**
 * A service's way to hand each host's per-host JSON on as soon as it is
 * final (--json-lines prints it then): the runner's onDone, with the element
 * made by the same function that makes --json's hosts.
 */
export function reportingHosts<T, H>(toJson: (outcome: HostOutcome<T>) => H, onHost?: (host: H) => void, onDone?: (outcome: HostOutcome<T>) => void): ((outcome: HostOutcome<T>) => void) | undefined {
  if (!onHost) return onDone
  return (outcome) => {
    onDone?.(outcome)
    onHost(toJson(outcome))
  }
}
