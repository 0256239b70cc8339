/** Human output of `tk bootstrap`: each host's steps as it finishes, then the fleet's table. */
import type {BootstrapReport} from '../bootstrap/index.js'
import type {HostOutcome} from '../fleet/runner.js'
import {renderFleetSummary} from './fleet.js'
import type {Style} from './style.js'

const WORDS = {ok: 'ok', changed: 'changed', 'would-change': 'would change'} as const

/**
 * web-1  logged in as root@web-1:22 with a password
 *   user     changed       created ann (home /home/ann, shell /bin/bash)
 */
export function bootstrapLines(target: string, report: BootstrapReport, style: Style): string {
  const color = {ok: style.dim, changed: style.green, 'would-change': style.yellow}
  return [
    `${style.bold(target)}  logged in as ${report.login}; admin ${report.admin}`,
    ...report.steps.map((step) => `  ${step.step.padEnd(7)}  ${color[step.result](WORDS[step.result].padEnd(12))}  ${step.detail}`),
  ].join('\n')
}

export function renderBootstrapSummary(outcomes: Array<HostOutcome<BootstrapReport>>, style: Style, dryRun: boolean): string {
  return renderFleetSummary(outcomes, style, dryRun, {
    changed: (report) => report.steps.filter((step) => step.result !== 'ok').length,
    engine: () => '-',
    result: (report) => (report.changed ? style.green(dryRun ? 'would change' : 'bootstrapped') : 'no changes'),
    extra: [{title: 'ADMIN', cell: (report) => report.admin}],
  })
}
