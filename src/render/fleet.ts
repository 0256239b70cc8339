/** Lines every command that works on many hosts prints the same way. */
import type {HostFailure, HostOutcome} from '../fleet/runner.js'
import {messageForHost} from '../fleet/result.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

/** "✘ web-1: what happened; what to do", in red. */
export function failureLine(target: string, failure: HostFailure, style: Style): string {
  return style.red(`✘ ${messageForHost(target, failure.message)}${failure.hint ? `; ${failure.hint}` : ''}`)
}

/** "- web-3: not started: 1 host failed (--max-fail 1)", dimmed. */
export function skippedLine(target: string, reason: string, style: Style): string {
  return style.dim(`- ${target}: ${reason}`)
}

/** What a command's summary shows of a host that finished; the rest of the table is the same for every command. */
export interface SummaryCells<T> {
  changed(value: T): number
  engine(value: T): string
  /** RESULT of a finished host; default `ok`, or `planned` in a dry run. */
  result?(value: T, dryRun: boolean, style: Style): string
  /** Columns of the command's own, between ENGINE and TIME. */
  extra?: Array<{title: string; cell(value: T): string}>
}

/**
 * The summary table after a run on many hosts, one vocabulary for up,
 * provision and upgrade: HOST, RESULT (ok, planned, FAILED, skipped, or the
 * command's own word), CHANGED (WOULD CHANGE in a dry run), ENGINE, the
 * command's own columns, TIME, and ERROR (why a host failed or was skipped).
 */
export function renderFleetSummary<T>(outcomes: Array<HostOutcome<T>>, style: Style, dryRun: boolean, cells: SummaryCells<T>): string {
  const extra = cells.extra ?? []
  const time = (ms: number) => `${(ms / 1000).toFixed(1)}s`
  const dashes = extra.map(() => '-')
  const rows = outcomes.map((outcome) => {
    if (outcome.status === 'failed') return [outcome.target, style.red('FAILED'), '-', '-', ...dashes, time(outcome.durationMs), outcome.error.message]
    if (outcome.status === 'skipped') return [outcome.target, style.yellow('skipped'), '-', '-', ...dashes, '-', outcome.reason]
    const {value} = outcome
    const result = cells.result ? cells.result(value, dryRun, style) : dryRun ? style.yellow('planned') : style.green('ok')
    return [outcome.target, result, String(cells.changed(value)), cells.engine(value), ...extra.map((column) => column.cell(value)), time(outcome.durationMs), '']
  })
  return renderTable(['HOST', 'RESULT', dryRun ? 'WOULD CHANGE' : 'CHANGED', 'ENGINE', ...extra.map((column) => column.title), 'TIME', 'ERROR'], rows, style)
}
