/** The `tk status` table: one row per host, reachable or not, then why the unreachable ones are. */
import type {StatusFacts} from '../status/facts.js'
import type {HostStatus, StatusResult} from '../status/gather.js'
import type {LastUp} from '../facts/up-state.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

export const STATUS_HEADER = ['NAME', 'ADDRESS', 'REACHABLE', 'OS', 'KERNEL', 'ENGINE', 'DAEMON', 'DOCKER GROUP', 'LAST UP']

export function renderStatus(result: Pick<StatusResult, 'hosts' | 'summary'>, style: Style, now = Date.now()): string {
  if (result.hosts.length === 0) return 'No hosts: tk.yml lists none.'
  // Sandbox hosts add a column: their machine's state (the other rows say "-").
  const sandbox = result.hosts.some((host) => host.machine)
  const rows = result.hosts.map((host) => {
    const row = statusRow(host, style, now)
    return sandbox ? [...row.slice(0, 3), machineCell(host, style), ...row.slice(3)] : row
  })
  const header = sandbox ? [...STATUS_HEADER.slice(0, 3), 'MACHINE', ...STATUS_HEADER.slice(3)] : STATUS_HEADER
  const problems = result.hosts
    .filter((host) => host.problem)
    .map((host) => style.red(`✘ ${host.name}: ${host.problem!.message}${host.problem!.hint ? `; ${host.problem!.hint}` : ''}`))
  return [renderTable(header, rows, style), ...(problems.length > 0 ? ['', ...problems] : [])].join('\n')
}

function machineCell(host: HostStatus, style: Style): string {
  if (!host.machine) return style.dim('-')
  const state = host.machine.state === 'engine-not-running' ? 'engine down' : host.machine.state === 'not-created' ? 'not created' : host.machine.state
  return host.machine.state === 'running' ? style.green(state) : style.yellow(state)
}

export function statusRow(host: HostStatus, style: Style, now = Date.now()): string[] {
  const reachable = host.reachable ? style.green('yes') : style.red(`no (${host.problem?.reason ?? 'error'})`)
  if (!host.facts) return [host.name, host.address, reachable, '-', '-', '-', '-', '-', '-']
  const {facts} = host
  return [host.name, host.address, reachable, facts.os, facts.kernel, engineCell(facts, style), daemonCell(facts, style), groupCell(facts, style), lastUpCell(facts.lastUp, style, now)]
}

function engineCell({engine}: StatusFacts, style: Style): string {
  if (!engine.version) return '-'
  return engine.versionFrom === 'package' ? `${engine.version} ${style.dim('(installed)')}` : engine.version
}

function daemonCell({engine}: StatusFacts, style: Style): string {
  switch (engine.daemon) {
    case 'running':
      // The login user cannot use it: worth saying, a docker command there would fail.
      return engine.access === false ? `${style.green('running')} ${style.dim('(no access)')}` : style.green('running')
    case 'stopped':
      return engine.unit && engine.unit !== 'inactive' && engine.unit !== 'unknown' ? style.red(`stopped (${engine.unit})`) : style.red('stopped')
    case 'not-answering':
      return style.red('not answering')
    case 'not-installed':
      return style.dim('not installed')
  }
}

function groupCell({dockerGroup}: StatusFacts, style: Style): string {
  if (!dockerGroup) return style.dim('no group')
  return dockerGroup.length > 0 ? dockerGroup.join(',') : style.dim('empty')
}

export function lastUpCell(last: LastUp | undefined, style: Style, now = Date.now()): string {
  if (!last) return style.dim('never')
  const by = last.by ? ` by ${last.by}` : ''
  return `${formatAge(now - Date.parse(last.at))}${by}, ${last.ok ? style.green('ok') : style.red('failed')}`
}

/** How long ago, in the largest whole unit: "42s ago", "3m ago", "5h ago", "12d ago". */
export function formatAge(ms: number): string {
  // The time was written by the clock of whoever ran tk up: a little ahead of ours is not news.
  if (ms < 0) return ms > -60_000 ? 'just now' : `in ${span(-ms)} (clocks differ)`
  if (ms < 1000) return 'just now'
  return `${span(ms)} ago`
}

function span(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.floor(hours / 24)}d`
}
