/** The exit-code table printed on stderr after a command ran on several hosts (tk exec, tk docker). */
import type {HostOutcome} from '../fleet/runner.js'
import type {ExecResult} from '../exec/index.js'
import {makeStyle, useColor} from './style.js'
import {renderTable} from './table.js'

export function renderExitSummary(outcomes: Array<HostOutcome<ExecResult>>, colour = useColor(process.stderr)): string {
  const style = makeStyle(colour)
  const rows = outcomes.map((outcome) => [
    outcome.target,
    outcome.status === 'ok' ? (outcome.value.code === 0 ? style.green('0') : style.red(String(outcome.value.code))) : style.red('-'),
    outcome.status === 'ok' ? (outcome.value.timedOut ? 'timed out' : outcome.value.signal ? `signal ${outcome.value.signal}` : '') : outcome.status === 'failed' ? outcome.error.message : outcome.reason,
    `${(outcome.durationMs / 1000).toFixed(2)}s`,
  ])
  return `\n${renderTable(['HOST', 'EXIT', 'NOTE', 'TIME'], rows, style)}\n`
}
