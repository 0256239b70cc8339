/**
 * Human output of a CheckReport, grouped as check-config.sh groups it, one
 * line a check with a mark, and the hint under anything that is not fine.
 */
import type {CheckReport, CheckResult, CheckStatus} from '../check/index.js'
import type {HostOutcome} from '../fleet/runner.js'
import {failureLine, skippedLine} from './fleet.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

const GROUP_TITLES: Record<CheckResult['group'], string> = {
  kernel: 'Kernel',
  necessary: 'Generally Necessary',
  optional: 'Optional Features',
  network: 'Network Drivers',
  storage: 'Storage Drivers',
  limits: 'Limits',
}

const STATE_WORDS: Record<string, string> = {enabled: 'enabled', module: 'enabled (as module)', missing: 'missing'}

function mark(status: CheckStatus, style: Style): string {
  switch (status) {
    case 'pass':
      return style.green('ok  ')
    case 'fail':
      return style.red('FAIL')
    case 'warn':
      return style.yellow('warn')
    case 'info':
      return style.dim('info')
    default:
      return style.dim('n/a ')
  }
}

/** A check's line, its detail and fix; `withFeature` names the feature it is for (outside its group's block). */
function line(check: CheckResult, style: Style, indent: string, withFeature = false): string[] {
  const state = check.kind === 'flag' ? (STATE_WORDS[check.state] ?? check.state) : check.state
  const coloured = check.status === 'pass' ? style.green(state) : check.status === 'fail' ? style.red(state) : check.status === 'warn' ? style.yellow(state) : style.dim(state)
  const feature = withFeature && check.feature ? style.dim(` (for ${check.feature})`) : ''
  const lines = [`${indent}${mark(check.status, style)} ${check.id}: ${coloured}${feature}`]
  const showDetail = check.detail && (check.status !== 'pass' || check.kind === 'system')
  if (showDetail) lines.push(`${indent}       ${style.dim(check.detail!)}`)
  if (check.hint && check.status !== 'pass') lines.push(`${indent}       fix: ${check.hint}`)
  return lines
}

export function renderCheckReport(report: CheckReport, style: Style, options: {onlyProblems?: boolean} = {}): string {
  const out: string[] = []
  const where = report.mode === 'config-file' ? `kernel config ${report.target}` : `${report.target} (kernel config ${report.kernel.configSource})`
  out.push(style.bold(`Checking ${where}`))
  const facts = [`kernel ${report.kernel.version}`]
  if (report.kernel.arch) facts.push(report.kernel.arch)
  if (report.os?.name) facts.push(report.os.name)
  if (report.cgroup.version) facts.push(`cgroup v${report.cgroup.version}`)
  if (report.virtualization) facts.push(report.virtualization)
  if (report.engine?.method) facts.push(`engine: ${report.engine.method}${report.engine.repository ? ` (${report.engine.repository})` : ''}`)
  out.push(style.dim(facts.join(' · ')))

  for (const group of Object.keys(GROUP_TITLES) as CheckResult['group'][]) {
    const checks = report.checks.filter((check) => check.group === group && (!options.onlyProblems || check.status === 'fail' || check.status === 'warn'))
    if (checks.length === 0) continue
    out.push('', style.bold(`${GROUP_TITLES[group]}:`))
    let feature: string | undefined
    for (const check of checks) {
      if (check.feature && check.feature !== feature) out.push(`  "${check.feature}":`)
      feature = check.feature
      out.push(...line(check, style, check.feature ? '    ' : '  '))
    }
  }

  const {passed, warnings, failed} = report.summary
  const drivers = report.storageDrivers.usable.length > 0 ? report.storageDrivers.usable.join(', ') : 'none'
  out.push('', `Storage drivers usable: ${drivers}`)
  const counts = `${passed} passed, ${warnings} warning${warnings === 1 ? '' : 's'}, ${failed} failed`
  out.push(
    report.verdict === 'pass'
      ? style.green(style.bold(`✔ ${report.target}: ready for a container engine`)) + ` (${counts})`
      : style.red(style.bold(`✘ ${report.target}: not ready for a container engine`)) + ` (${counts})`,
  )
  return out.join('\n')
}

/** The one-line verdict of a host for the fleet table. */
export function fleetRow(report: CheckReport, durationMs: number, style: Style): string[] {
  return [
    report.target,
    report.verdict === 'pass' ? style.green('pass') : style.red('FAIL'),
    report.kernel.version,
    report.cgroup.version ? `v${report.cgroup.version}` : '-',
    report.storageDrivers.usable.join(',') || 'none',
    String(report.summary.warnings),
    String(report.summary.failed),
    `${(durationMs / 1000).toFixed(2)}s`,
  ]
}

export const FLEET_HEADER = ['HOST', 'RESULT', 'KERNEL', 'CGROUP', 'STORAGE', 'WARN', 'FAIL', 'TIME']

/**
 * tk check on several hosts: by default the warnings every checked host
 * shares once, then each host's failures and its own warnings (a host with
 * neither gets no block), then one row a host. With `verbose`, or for one
 * host, every host's whole report.
 */
export function renderFleetCheck(outcomes: Array<HostOutcome<CheckReport>>, style: Style, options: {verbose?: boolean} = {}): string {
  const notOk = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [failureLine(outcome.target, outcome.error, style)] : outcome.status === 'skipped' ? [skippedLine(outcome.target, outcome.reason, style)] : []))
  const reports = outcomes.flatMap((outcome) => (outcome.status === 'ok' ? [outcome.value] : []))
  if (outcomes.length === 1) return reports.length === 1 ? renderCheckReport(reports[0], style) : notOk.join('\n')
  const parts: string[] = []
  if (options.verbose) {
    parts.push(...reports.map((report) => renderCheckReport(report, style)))
  } else {
    const same = (check: CheckResult) => `${check.id}\u0000${check.state}\u0000${check.detail ?? ''}`
    const warningsOf = (report: CheckReport) => report.checks.filter((check) => check.status === 'warn')
    // Warnings every checked host has (the same check, state and detail): shown once.
    const shared = reports.length < 2 ? [] : warningsOf(reports[0]).filter((warning) => reports.every((report) => warningsOf(report).some((other) => same(other) === same(warning))))
    const sharedKeys = new Set(shared.map(same))
    if (shared.length > 0) parts.push([style.bold(`Warnings on all ${reports.length} hosts:`), ...shared.flatMap((check) => line(check, style, '  ', true))].join('\n'))
    for (const report of reports) {
      const own = report.checks.filter((check) => check.status === 'fail' || (check.status === 'warn' && !sharedKeys.has(same(check))))
      if (own.length === 0) continue
      const title = report.verdict === 'pass' ? style.bold(`${report.target}:`) : style.red(style.bold(`${report.target}: not ready`))
      parts.push([title, ...own.flatMap((check) => line(check, style, '  ', true))].join('\n'))
    }
  }
  parts.push(...notOk)
  const rows = outcomes.map((outcome) =>
    outcome.status === 'ok' ? fleetRow(outcome.value, outcome.durationMs, style) : [outcome.target, style.red('UNREACHABLE'), '-', '-', '-', '-', '-', `${(outcome.durationMs / 1000).toFixed(2)}s`],
  )
  const more = options.verbose || reports.length === 0 ? [] : [style.dim('(each host\'s whole report: tk check --verbose)')]
  return [...parts, [renderTable(FLEET_HEADER, rows, style), ...more].join('\n')].join('\n\n')
}
