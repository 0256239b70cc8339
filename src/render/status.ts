/** The `tk status` table: one row per host, reachable or not, then why the unreachable ones are. */
import type {StatusFacts} from '../status/facts.js'
import type {HostStatus, StatusResult} from '../status/gather.js'
import type {LastUp} from '../facts/up-state.js'
import type {Style} from './style.js'
import {clusterLine} from './swarm.js'
import {renderTable, visibleLength} from './table.js'

export const STATUS_HEADER = ['NAME', 'ADDRESS', 'REACHABLE', 'OS', 'KERNEL', 'ENGINE', 'DAEMON', 'DOCKER GROUP', 'LAST UP']

export interface StatusRenderOptions {
  now?: number
  /** The terminal's width: columns are shortened, then dropped, until the table fits. Undefined: every column in full (not a terminal, or --wide). */
  width?: number
}

/** Columns given up first when the table is too wide for the terminal; NAME, REACHABLE, ENGINE and DAEMON always stay. */
const DROP_ORDER = ['KERNEL', 'DOCKER GROUP', 'ADDRESS', 'OS', 'MACHINE', 'LAST UP', 'SWARM']

export function renderStatus(result: Pick<StatusResult, 'hosts' | 'summary' | 'swarms'>, style: Style, options: StatusRenderOptions = {}): string {
  if (result.hosts.length === 0) return 'No hosts: tk.yml lists none.'
  const now = options.now ?? Date.now()
  // Sandbox hosts add a column: their machine's state (the other rows say "-").
  const sandbox = result.hosts.some((host) => host.machine)
  // Hosts in a swarm add a column: role, node state, availability, reachability.
  const inSwarm = result.hosts.some((host) => host.swarm)
  const withMachine = (row: string[], machine: string, host?: HostStatus) => {
    const withSandbox = sandbox ? [...row.slice(0, 3), machine, ...row.slice(3)] : row
    return inSwarm ? [...withSandbox.slice(0, -1), host ? swarmCell(host, style) : 'SWARM', ...withSandbox.slice(-1)] : withSandbox
  }
  const header = withMachine(STATUS_HEADER, 'MACHINE')
  const full = result.hosts.map((host) => withMachine(statusRow(host, style, now), machineCell(host, style), host))
  const problems = result.hosts
    .filter((host) => host.problem)
    .map((host) => style.red(`✘ ${host.name}: ${host.problem!.message}${host.problem!.hint ? `; ${host.problem!.hint}` : ''}`))
  const table = options.width === undefined ? renderTable(header, full, style) : fitTable(header, full, result.hosts.map((host) => withMachine(statusRow(host, style, now, true), machineCell(host, style), host)), options.width, style)
  const drift = driftLines(result.hosts, style)
  const swarms = (result.swarms ?? []).map((cluster) => clusterLine(cluster, style))
  return [table, ...(swarms.length > 0 ? ['', ...swarms] : []), ...(drift.length > 0 ? ['', ...drift] : []), ...(problems.length > 0 ? ['', ...problems] : [])].join('\n')
}

/** Per host, what drifted since tk applied it ("web-1: web: container web missing"), what tk up would change besides, and hosts whose drift could not be read. */
function driftLines(hosts: StatusResult['hosts'], style: Style): string[] {
  const lines: string[] = []
  for (const host of hosts) {
    if (host.driftError) lines.push(style.yellow(`? ${host.name}: drift not checked: ${host.driftError}`))
    for (const provisioner of host.drift ?? []) {
      for (const drift of provisioner.drift) lines.push(style.yellow(`~ ${host.name}: ${provisioner.name}: ${drift}`))
      if (provisioner.pending) lines.push(style.dim(`~ ${host.name}: ${provisioner.name}: tk up ${provisioner.pending.replace(/^would /, 'would ')}`))
    }
  }
  return lines
}

/**
 * The table within `width` columns: the short form of the cells first (OS
 * without its codename, LAST UP without who), then columns dropped in
 * DROP_ORDER, saying which and how to see them.
 */
function fitTable(header: string[], full: string[][], short: string[][], width: number, style: Style): string {
  const widest = (table: string) => Math.max(...table.split('\n').map((line) => visibleLength(line)))
  const whole = renderTable(header, full, style)
  if (widest(whole) <= width) return whole
  let columns = header.map((_, index) => index)
  const render = () => renderTable(columns.map((index) => header[index]), short.map((row) => columns.map((index) => row[index])), style)
  let table = render()
  const dropped: string[] = []
  for (const title of DROP_ORDER) {
    if (widest(table) <= width) break
    const index = header.indexOf(title)
    if (index < 0) continue
    columns = columns.filter((column) => column !== index)
    dropped.push(title)
    table = render()
  }
  return dropped.length === 0 ? table : `${table}\n${style.dim(`(left out: ${dropped.join(', ')}; --wide shows all)`)}`
}

/** "manager leader ready active", "worker down drain", "locked": the host's node as the managers see it. */
function swarmCell(host: HostStatus, style: Style): string {
  const node = host.swarm
  if (!node) return style.dim('-')
  if (!node.role) return node.local === 'active' ? style.yellow('active (not seen by a manager here)') : style.yellow(node.local)
  const reach = node.reachability && node.reachability !== 'reachable' ? style.red(node.reachability) : undefined
  const state = node.state === 'ready' ? node.state : style.red(node.state ?? 'unknown')
  return [node.leader ? `${node.role} leader` : node.role, state, node.availability === 'active' ? node.availability : style.yellow(node.availability ?? '?'), reach].filter(Boolean).join(' ')
}

function machineCell(host: HostStatus, style: Style): string {
  if (!host.machine) return style.dim('-')
  const state = host.machine.state === 'engine-not-running' ? 'engine down' : host.machine.state === 'not-created' ? 'not created' : host.machine.state
  return host.machine.state === 'running' ? style.green(state) : style.yellow(state)
}

/** A host's cells; `short` for a narrow terminal: OS without its codename, LAST UP without who. */
export function statusRow(host: HostStatus, style: Style, now = Date.now(), short = false): string[] {
  const reachable = host.reachable ? style.green('yes') : style.red(`no (${host.problem?.reason ?? 'error'})`)
  // Where its services answer: a sandbox machine's published ports or its network address; an ssh host's login address.
  const address = host.serviceAddress ?? host.address
  if (!host.facts) return [host.name, address, reachable, '-', '-', '-', '-', '-', '-']
  const {facts} = host
  return [
    host.name,
    address,
    reachable,
    short ? shortOs(facts.os) : facts.os,
    facts.kernel,
    engineCell(facts, style),
    daemonCell(facts, style),
    groupCell(facts, style),
    lastUpCell(facts.lastUp, style, now, short),
  ]
}

/** "Debian GNU/Linux 12 (bookworm)" → "Debian 12", "Ubuntu 24.04.1 LTS" → "Ubuntu 24.04.1". */
export function shortOs(os: string): string {
  return os.replace(/\s*\([^)]*\)\s*$/, '').replace(' GNU/Linux', '').replace(/\s+LTS$/, '')
}

function engineCell({engine}: StatusFacts, style: Style): string {
  if (!engine.version) return '-'
  const version = engine.versionFrom === 'package' ? `${engine.version} ${style.dim('(installed)')}` : engine.version
  const via = engine.installedVia === 'workstation' ? ` ${style.dim('(through the workstation)')}` : ''
  // Docker's repository, by its host (the full URI is in --json): the method a docker.io engine needs no word for.
  return `${engine.method === 'docker' ? `${version} ${style.dim(`(docker: ${repositoryHost(engine.repository)})`)}` : version}${via}`
}

function repositoryHost(repository: string | undefined): string {
  if (!repository) return 'no docker.sources'
  try {
    return new URL(repository.split(' ')[0]).host
  } catch {
    return repository.split(' ')[0]
  }
}

function daemonCell({engine, init}: StatusFacts, style: Style): string {
  // Without systemd there is no service to install the engine as, or to ask about.
  if (engine.daemon === 'not-installed' && init && init !== 'systemd') return style.dim(`not installed (no systemd: ${init})`)
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

export function lastUpCell(last: LastUp | undefined, style: Style, now = Date.now(), short = false): string {
  if (!last) return style.dim('never')
  const by = last.by && !short ? ` by ${last.by}` : ''
  // A quick run found the host as the last full check left it (docs/up.md).
  const quick = last.quick && !short ? style.dim(' (quick)') : ''
  return `${formatAge(now - Date.parse(last.at))}${by}, ${last.ok ? style.green('ok') : style.red('failed')}${quick}`
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
