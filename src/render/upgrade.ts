/** Human output of tk upgrade: a line per step as it finishes, the package moves, the journal of a failure, then a table per host. */
import type {HostOutcome} from '../fleet/runner.js'
import type {PackageMove, UpgradeResult, UpgradeStepOutcome} from '../upgrade/index.js'
import type {KernelResult} from '../upgrade/kernel.js'
import type {Style} from './style.js'
import {renderFleetSummary} from './fleet.js'

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
  return renderFleetSummary(outcomes, style, dryRun, {
    changed: (value) => value.changed,
    // The engine package's move: "20.10.24 -> 20.10.25", or its version when it stays.
    engine: (value) => {
      const engine = value.packages.find((item) => item.name === 'docker.io')
      return engine ? (engine.change === 'none' ? engine.from : `${engine.from} -> ${engine.to}`) : '-'
    },
    result: (value, dry) => (value.changed === 0 ? style.green('current') : dry ? style.yellow('planned') : style.green('upgraded')),
    extra: [{title: 'RANGE', cell: (value) => value.range}],
  })
}

/** "web-1  kernel 6.1.0-28-amd64 -> 6.12.48+deb12-amd64 (linux-image-amd64 6.12.48-1~bpo12+1 from bookworm-backports)", or why nothing was done. */
export function kernelLine(target: string, width: number, result: KernelResult, style: Style): string {
  const name = target.padEnd(width)
  if (result.dryRun || !result.kernelAfter) return `${name}  ${result.note ?? 'nothing to do'}`
  const source = result.package ? ` (${result.package} ${result.version ?? ''} from ${result.suite}${result.addedSource ? `; added ${result.addedSource}` : ''})` : ''
  return `${name}  kernel ${result.kernelBefore} -> ${style.green(result.kernelAfter)}${source}`
}

export function renderKernelSummary(outcomes: Array<HostOutcome<KernelResult>>, style: Style, dryRun: boolean): string {
  return renderFleetSummary(outcomes, style, dryRun, {
    changed: (result) => result.changed,
    engine: () => '-',
    extra: [
      {title: 'KERNEL', cell: (result) => (result.kernelAfter && result.kernelAfter !== result.kernelBefore ? `${result.kernelBefore} -> ${result.kernelAfter}` : result.kernelBefore)},
      {title: 'PACKAGE', cell: (result) => (result.package ? `${result.package}/${result.suite}` : '-')},
    ],
  })
}
