/** Human output of provisioning: a line per step as it finishes, then a table per host. */
import type {HostOutcome} from '../fleet/run-hosts.js'
import type {ProvisionResult, StepOutcome} from '../provision/index.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

const MARKS: Record<StepOutcome['result'], (style: Style) => string> = {
  ok: (style) => style.green('ok     '),
  changed: (style) => style.yellow('changed'),
  verified: (style) => style.green('ok     '),
  'would-change': (style) => style.yellow('would  '),
  skipped: (style) => style.dim('skip   '),
  failed: (style) => style.red('FAILED '),
}

export function stepLine(target: string, width: number, outcome: StepOutcome, style: Style): string {
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`.padStart(6)
  return `${target.padEnd(width)}  ${MARKS[outcome.result](style)} ${outcome.id.padEnd(14)} ${seconds}  ${outcome.detail}`
}

export function renderProvisionSummary(outcomes: Array<HostOutcome<ProvisionResult>>, style: Style, dryRun: boolean): string {
  const rows = outcomes.map((outcome) =>
    outcome.ok
      ? [
          outcome.target,
          dryRun ? style.yellow('planned') : style.green('ok'),
          String(outcome.value.changed),
          outcome.value.engine?.version ?? '-',
          outcome.value.os ?? '-',
          `${(outcome.durationMs / 1000).toFixed(1)}s`,
        ]
      : [outcome.target, style.red('FAILED'), '-', '-', outcome.error.message, `${(outcome.durationMs / 1000).toFixed(1)}s`],
  )
  return renderTable(['HOST', 'RESULT', dryRun ? 'WOULD CHANGE' : 'CHANGED', 'ENGINE', 'OS / ERROR', 'TIME'], rows, style)
}
