/** Human output of `tk reboot`: a line per host as it comes back, then the fleet's table. */
import type {HostOutcome} from '../fleet/runner.js'
import type {RebootReport} from '../fleet/reboot.js'
import type {Style} from './style.js'
import {renderFleetSummary} from './fleet.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

/** "web-1  back after 21.3s (down after 1.2s); kernel 6.1.0-28-amd64; system running" */
export function rebootLine(target: string, width: number, report: RebootReport, style: Style): string {
  const down = report.downAfterMs === undefined ? '' : ` (down after ${seconds(report.downAfterMs)})`
  const kernel = report.kernelAfter === report.kernelBefore ? `kernel ${report.kernelAfter}` : `kernel ${report.kernelBefore} -> ${report.kernelAfter}`
  const state = report.systemState === 'running' ? style.green(report.systemState) : style.yellow(report.systemState)
  return `${target.padEnd(width)}  back after ${seconds(report.backAfterMs)}${down}; ${kernel}; system ${state}`
}

export function renderRebootSummary(outcomes: Array<HostOutcome<RebootReport>>, style: Style): string {
  return renderFleetSummary(outcomes, style, false, {
    changed: () => 1,
    engine: () => '-',
    result: (report) => (report.systemState === 'running' ? style.green('rebooted') : style.yellow('rebooted')),
    extra: [
      {title: 'KERNEL', cell: (report) => report.kernelAfter},
      {title: 'DOWN', cell: (report) => (report.downAfterMs === undefined ? '-' : seconds(report.downAfterMs))},
      {title: 'BACK', cell: (report) => seconds(report.backAfterMs)},
      {title: 'SYSTEM', cell: (report) => report.systemState},
    ],
  })
}
