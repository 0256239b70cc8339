/** Human output of tk upgrade: a line per step as it finishes, the package moves, the journal of a failure, then a table per host. */
import type {HostOutcome} from '../fleet/runner.js'
import type {PackageMove, UpgradeResult, UpgradeStepOutcome} from '../upgrade/index.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

const MARKS: Record<UpgradeStepOutcome['result'], (style: Style) => string> = {
  ok: (style) => style.green('ok     '),
  changed: (style) => style.yellow('changed'),
  'would-change': (style) => style.yellow('would  '),
  failed: (style) => style.red('FAILED '),
}

export function upgradeStepLine(target: string, width: number, outcome: UpgradeStepOutcome, style: Style): string {
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`.padStart(6)
  return `${target.padEnd(width)}  ${MARKS[outcome.result](style)} ${outcome.id.padEnd(9)} ${seconds}  ${outcome.detail}`
}

/** One line per package: from -> to, and why. */
export function packageLines(width: number, packages: PackageMove[], style: Style): string[] {
  const nameWidth = Math.max(...packages.map((item) => item.name.length))
  const fromWidth = Math.max(...packages.map((item) => item.from.length))
  return packages.map((item) => {
    const to = item.change === 'none' ? style.dim('(stays)') : item.change === 'downgrade' ? style.red(item.to) : style.green(item.to)
    return `${' '.repeat(width + 2)}${item.name.padEnd(nameWidth)}  ${item.from.padEnd(fromWidth)} -> ${to}  ${style.dim(item.reason)}`
  })
}

export function journalLines(width: number, journal: string[], style: Style): string[] {
  if (journal.length === 0) return []
  return [`${' '.repeat(width + 2)}${style.dim('journalctl -u docker -n 20:')}`, ...journal.map((line) => `${' '.repeat(width + 4)}${style.dim(line)}`)]
}

export function renderUpgradeSummary(outcomes: Array<HostOutcome<UpgradeResult>>, style: Style, dryRun: boolean): string {
  const time = (ms: number) => `${(ms / 1000).toFixed(1)}s`
  const rows = outcomes.map((outcome) => {
    if (outcome.status === 'skipped') return [outcome.target, style.dim('skipped'), '-', '-', outcome.reason, '-']
    if (outcome.status === 'failed') return [outcome.target, style.red('FAILED'), '-', '-', outcome.error.message, time(outcome.durationMs)]
    const {value} = outcome
    const engine = value.packages.find((item) => item.name === 'docker.io')
    const result = value.changed === 0 ? style.green('current') : dryRun ? style.yellow('planned') : style.green('upgraded')
    const versions = engine ? (engine.change === 'none' ? engine.from : `${engine.from} -> ${engine.to}`) : '-'
    return [outcome.target, result, String(value.changed), value.range, versions, time(outcome.durationMs)]
  })
  return renderTable(['HOST', 'RESULT', dryRun ? 'WOULD CHANGE' : 'CHANGED', 'RANGE', 'DOCKER.IO / ERROR', 'TIME'], rows, style)
}
