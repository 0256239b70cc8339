/** Human output of provisioning: a line per step as it finishes, then a table per host. */
import type {HostOutcome} from '../fleet/runner.js'
import type {ProvisionResult, StepOutcome} from '../provision/index.js'
import type {Style} from './style.js'
import {renderFleetSummary} from './fleet.js'

const MARKS: Record<StepOutcome['result'], (style: Style) => string> = {
  ok: (style) => style.green('ok     '),
  changed: (style) => style.yellow('changed'),
  verified: (style) => style.green('ok     '),
  'would-change': (style) => style.yellow('planned'),
  skipped: (style) => style.dim('skip   '),
  failed: (style) => style.red('FAILED '),
}

export function stepLine(target: string, width: number, outcome: StepOutcome, style: Style): string {
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`.padStart(6)
  return `${target.padEnd(width)}  ${MARKS[outcome.result](style)} ${outcome.id.padEnd(14)} ${seconds}  ${outcome.detail}`
}

/** Under the daemon-config step's line: the file's diff (changed lines, one line of context, "..." for the rest), and after a rollback the engine's journal. */
export function diffLines(width: number, outcome: StepOutcome, style: Style): string[] {
  const {diff} = outcome
  if (!diff || outcome.result === 'ok' || outcome.result === 'skipped') return (outcome.journal ?? []).map((line) => `${' '.repeat(width + 2)}${style.dim('| ')}${line}`)
  const changed = (line: string | undefined) => line !== undefined && !line.startsWith('  ')
  const pad = ' '.repeat(width + 2)
  const lines: string[] = []
  for (const [index, line] of diff.entries()) {
    if (changed(line) || changed(diff[index - 1]) || changed(diff[index + 1])) {
      lines.push(`${pad}${line.startsWith('+') ? style.green(line) : line.startsWith('-') ? style.red(line) : style.dim(line)}`)
    } else if (lines.at(-1) !== `${pad}${style.dim('  ...')}`) {
      lines.push(`${pad}${style.dim('  ...')}`)
    }
  }
  for (const line of outcome.journal ?? []) lines.push(`${pad}${style.dim('| ')}${line}`)
  return lines
}

export function renderProvisionSummary(outcomes: Array<HostOutcome<ProvisionResult>>, style: Style, dryRun: boolean): string {
  return renderFleetSummary(outcomes, style, dryRun, {
    changed: (value) => value.changed,
    engine: (value) => value.engine?.version ?? '-',
    extra: [{title: 'OS', cell: (value) => value.os ?? '-'}],
  })
}
