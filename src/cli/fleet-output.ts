/**
 * The end of every command that worked on many hosts: the exit code the
 * fleet result adds up to becomes the process's, and what is returned (and
 * printed by --json) is the result without it and without the runner's
 * outcomes (renderers read those).
 */
import * as Flags from '@oclif/core/flags'

import type {FleetResult} from '../fleet/result.js'
import type {HostOutcome} from '../fleet/runner.js'
import {failureLine} from '../render/fleet.js'
import type {Style} from '../render/style.js'

export function finishFleet<R extends FleetResult<unknown, unknown>>(result: R): Omit<R, 'exitCode' | 'outcomes'> {
  if (result.exitCode !== 0) process.exitCode = result.exitCode
  const {exitCode: _exitCode, outcomes: _outcomes, ...rest} = result
  return rest
}

/**
 * Progress of a long wait on hosts (a reboot: going down, down, booting) as
 * dimmed lines on stderr, a line when a host's phase changes; nothing with --json.
 */
export function phaseLines(width: number, style: Style, quiet: boolean): (target: string, text: string) => void {
  const said = new Map<string, string>()
  return (target, text) => {
    if (quiet || said.get(target) === text) return
    said.set(target, text)
    process.stderr.write(`${style.dim(`${target.padEnd(width)}  ${text}`)}\n`)
  }
}

/** A host's line as it finishes: the command's own for a success, the failure line on stderr; nothing with --json. */
export function doneLines<T>(log: (line: string) => void, logError: (line: string) => void, quiet: boolean, style: Style, success: (target: string, value: T) => string): (outcome: HostOutcome<T>) => void {
  return (outcome) => {
    if (quiet) return
    if (outcome.status === 'ok') log(success(outcome.target, outcome.value))
    else if (outcome.status === 'failed') logError(failureLine(outcome.target, outcome.error, style))
  }
}

/**
 * --json-lines: for tools that stream, one JSON object per host on stdout as
 * each host finishes (the same object as that host's element of --json's
 * hosts), then one last line {"summary": ...}. Nothing else goes to stdout.
 */
export const jsonLinesFlag = () =>
  Flags.boolean({
    summary: "Print one line of JSON per host as each finishes (the host's --json element), then a line {\"summary\": ...}.",
    description: 'For tools that stream: nothing else is printed on stdout, and the exit code is the same as with --json.',
    exclusive: ['json'],
  })

/**
 * --json-lines on a command that works on many hosts, the one way every such
 * command prints it. `host` writes a host's line: exactly its element of
 * --json's hosts, handed over by the service as soon as that element is final
 * (as the host finishes). `end` writes the last line: the command's --json
 * document without its hosts, summary first, so {"summary": ...} and whatever
 * else --json has beside them (tk up's dryRun and swarm, tk status's swarms).
 * The command sets the exit code as with --json (finishFleet); human output
 * is off (TkCommand.jsonLinesEnabled).
 */
export interface JsonLines<H = unknown> {
  host: (element: H) => void
  end: <J extends {hosts?: readonly unknown[]; summary: unknown}>(json: J) => void
}

/** The --json-lines writer when the flag is given, else undefined (commands pass `lines?.host` to their service). */
export function jsonLines<H = unknown>(enabled: boolean): JsonLines<H> | undefined {
  if (!enabled) return undefined
  return {
    host: (element) => writeJsonLine(element),
    end: ({hosts: _hosts, summary, ...rest}) => writeJsonLine({summary, ...rest}),
  }
}

/** One line of --json-lines: `value` as JSON on one line. */
function writeJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
