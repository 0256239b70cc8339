/**
 * Human output of a CheckReport, grouped as check-config.sh groups it, one
 * line a check with a mark, and the hint under anything that is not fine.
 */
import type {CheckReport, CheckResult, CheckStatus} from '../check/index.js'
import type {Style} from './style.js'

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

function line(check: CheckResult, style: Style, indent: string): string[] {
  const state = check.kind === 'flag' ? (STATE_WORDS[check.state] ?? check.state) : check.state
  const coloured = check.status === 'pass' ? style.green(state) : check.status === 'fail' ? style.red(state) : check.status === 'warn' ? style.yellow(state) : style.dim(state)
  const lines = [`${indent}${mark(check.status, style)} ${check.id}: ${coloured}`]
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
