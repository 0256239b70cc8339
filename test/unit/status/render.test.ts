import {expect} from 'chai'

import {formatAge, lastUpCell, renderStatus, STATUS_HEADER} from '../../../src/render/status.js'
import {makeStyle} from '../../../src/render/style.js'
import type {StatusFacts} from '../../../src/status/facts.js'
import type {HostStatus, StatusResult} from '../../../src/status/gather.js'

const plain = makeStyle(false)
const NOW = Date.parse('2026-11-23T12:00:00.000Z')
const ago = (ms: number) => new Date(NOW - ms).toISOString()

const facts = (overrides: Partial<StatusFacts> = {}): StatusFacts => ({
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.1.0-28-amd64',
  user: 'admin',
  engine: {daemon: 'running', version: '20.10.24+dfsg1', versionFrom: 'server', access: true},
  dockerGroup: ['admin'],
  lastUp: {at: ago(3 * 60_000), by: 'alice@laptop', tkVersion: '0.1.0', ok: true, changed: 1, durationMs: 3000},
  ...overrides,
})

const reached = (name: string, overrides: Partial<StatusFacts> = {}): HostStatus => ({name, address: `admin@127.0.0.1:${name.length + 2200}`, reachable: true, durationMs: 120, facts: facts(overrides)})

const result = (hosts: HostStatus[]): Pick<StatusResult, 'hosts' | 'summary'> => ({
  hosts,
  summary: {reachable: hosts.filter((host) => host.reachable).length, unreachable: hosts.filter((host) => !host.reachable).length},
})

/** The table's rows as cells (columns are two or more spaces apart; no cell here has two spaces in it). */
const cells = (text: string) => text.split('\n').map((line) => line.split(/ {2,}/))

describe('tk status: the table', () => {
  it('one row per host in the order given, every column filled', () => {
    const text = renderStatus(result([reached('web-1'), reached('db-1', {engine: {daemon: 'not-installed'}, dockerGroup: undefined, lastUp: undefined})]), plain, {now: NOW})
    const [header, web, db] = cells(text)
    expect(header).to.deep.equal(STATUS_HEADER)
    expect(web).to.deep.equal(['web-1', 'admin@127.0.0.1:2205', 'yes', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-28-amd64', '20.10.24+dfsg1', 'running', 'admin', '3m ago by alice@laptop, ok'])
    expect(db).to.deep.equal(['db-1', 'admin@127.0.0.1:2204', 'yes', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-28-amd64', '-', 'not installed', 'no group', 'never'])
  })

  it('a host without systemd (a container with sshd alone) says so where the engine would be', () => {
    const text = renderStatus(result([reached('light-1', {engine: {daemon: 'not-installed'}, dockerGroup: undefined, lastUp: undefined, init: 'sshd'})]), plain, {now: NOW})
    expect(cells(text)[1][6]).to.equal('not installed (no systemd: sshd)')
  })

  it('an unreachable host is a row with its reason in a word, and the whole message after the table', () => {
    const down: HostStatus = {
      name: 'web-2',
      address: 'admin@10.0.0.9:22',
      reachable: false,
      durationMs: 2000,
      problem: {reason: 'timeout', message: 'Connection to admin@10.0.0.9 timed out after 2 s (no TCP connection)', exitCode: 5},
    }
    const text = renderStatus(result([reached('web-1'), down]), plain, {now: NOW})
    const lines = text.split('\n')
    expect(cells(text)[2]).to.deep.equal(['web-2', 'admin@10.0.0.9:22', 'no (timeout)', '-', '-', '-', '-', '-', '-'])
    expect(lines.slice(3)).to.deep.equal(['', '✘ web-2: Connection to admin@10.0.0.9 timed out after 2 s (no TCP connection)'])
  })

  it('a host whose script failed was reached: "yes", no facts, and why after the table', () => {
    const broken: HostStatus = {name: 'odd', address: 'root@odd:22', reachable: true, durationMs: 50, problem: {reason: 'script failed', message: 'the status script on odd exited 2: sh: syntax error', exitCode: 1}}
    const text = renderStatus(result([broken]), plain, {now: NOW})
    const lines = text.split('\n')
    expect(cells(text)[1].slice(0, 4)).to.deep.equal(['odd', 'root@odd:22', 'yes', '-'])
    expect(lines.at(-1)).to.equal('✘ odd: the status script on odd exited 2: sh: syntax error')
  })

  it('says what the daemon column cannot show in one word: no access, a failed unit, no answer, a package version', () => {
    const row = (overrides: Partial<StatusFacts>) => cells(renderStatus(result([reached('h', overrides)]), plain, {now: NOW}))[1]
    expect(row({engine: {daemon: 'running', version: '20.10.24+dfsg1', versionFrom: 'package', access: false}}).slice(5, 7)).to.deep.equal(['20.10.24+dfsg1 (installed)', 'running (no access)'])
    expect(row({engine: {daemon: 'stopped', unit: 'failed'}})[6]).to.equal('stopped (failed)')
    expect(row({engine: {daemon: 'stopped', unit: 'inactive'}})[6]).to.equal('stopped')
    expect(row({engine: {daemon: 'not-answering', error: 'no answer within 3 s'}})[6]).to.equal('not answering')
    expect(row({dockerGroup: []})[7]).to.equal('empty')
    expect(row({dockerGroup: ['admin', 'deploy', 'ci']})[7]).to.equal('admin,deploy,ci')
  })

  it('colours only when asked: green for good, red for bad, and columns still line up', () => {
    const coloured = renderStatus(result([reached('web-1'), reached('web-22', {engine: {daemon: 'stopped'}})]), makeStyle(true), {now: NOW})
    expect(coloured).to.contain('\u001B[32myes\u001B[39m').and.contain('\u001B[31mstopped\u001B[39m')
    // eslint-disable-next-line no-control-regex
    const visible = coloured.replaceAll(/\u001B\[[0-9;]*m/g, '')
    const [header, first, second] = visible.split('\n')
    expect(first.indexOf('admin@')).to.equal(header.indexOf('ADDRESS'))
    expect(second.indexOf('admin@')).to.equal(header.indexOf('ADDRESS'))
    expect(renderStatus(result([reached('web-1')]), plain, {now: NOW})).not.to.contain('\u001B[')
  })

  it('a sandbox host\'s ADDRESS is where its services answer: its published ports, else its sandbox-network address', () => {
    const machine = {name: 'tk-web-1-4c1b60d6', state: 'running' as const}
    const published: HostStatus = {...reached('web-1'), machine, serviceAddress: '127.0.0.1:8080, 127.0.0.1:8443'}
    const bare: HostStatus = {...reached('db-1'), machine, serviceAddress: '172.30.0.3'}
    const [, web, db] = cells(renderStatus(result([published, bare]), plain, {now: NOW}))
    expect(web.slice(0, 3)).to.deep.equal(['web-1', '127.0.0.1:8080, 127.0.0.1:8443', 'yes'])
    expect(db.slice(0, 3)).to.deep.equal(['db-1', '172.30.0.3', 'yes'])
  })

  it('an empty tk.yml is a sentence, not an empty table', () => {
    expect(renderStatus(result([]), plain, {now: NOW})).to.equal('No hosts: tk.yml lists none.')
  })
})

describe('tk status: how long ago', () => {
  it('in the largest whole unit', () => {
    expect(formatAge(0)).to.equal('just now')
    expect(formatAge(999)).to.equal('just now')
    expect(formatAge(42_000)).to.equal('42s ago')
    expect(formatAge(59_999)).to.equal('59s ago')
    expect(formatAge(60_000)).to.equal('1m ago')
    expect(formatAge(3_599_999)).to.equal('59m ago')
    expect(formatAge(3_600_000)).to.equal('1h ago')
    expect(formatAge(47 * 3_600_000)).to.equal('47h ago')
    expect(formatAge(48 * 3_600_000)).to.equal('2d ago')
    expect(formatAge(400 * 86_400_000)).to.equal('400d ago')
  })

  it('a time a little in the future is now; far in the future says the clocks differ', () => {
    expect(formatAge(-30_000)).to.equal('just now')
    expect(formatAge(-2 * 3_600_000)).to.equal('in 2h (clocks differ)')
  })

  it('the last tk up: age, who, and whether it went well', () => {
    const last = {at: ago(5 * 3_600_000), by: 'bob@ci', tkVersion: '0.1.0', ok: false, changed: 0, durationMs: 900}
    expect(lastUpCell(last, plain, NOW)).to.equal('5h ago by bob@ci, failed')
    expect(lastUpCell({...last, by: ''}, plain, NOW)).to.equal('5h ago, failed')
    expect(lastUpCell(undefined, plain, NOW)).to.equal('never')
  })

})

describe('tk status on a terminal narrower than the table', () => {
  const sandboxHost = (name: string): HostStatus => ({...reached(name, {os: 'Debian GNU/Linux 13 (trixie)', kernel: '6.12.48+deb13-cloud-amd64'}), machine: {name: `tk-${name}-4c1b60d6`, state: 'running'}})
  const fleet = result([sandboxHost('web-1'), sandboxHost('web-2'), sandboxHost('db-1')])
  const widestLine = (text: string) => Math.max(...text.split('\n').map((line) => line.length))

  it('fits 80 columns: short cells first, then columns left out, saying which and how to see them', () => {
    const full = renderStatus(fleet, plain, {now: NOW})
    expect(widestLine(full)).to.be.above(80)
    const text = renderStatus(fleet, plain, {now: NOW, width: 80})
    expect(widestLine(text)).to.be.at.most(80)
    const lines = text.split('\n')
    const header = lines[0].split(/ {2,}/)
    for (const kept of ['NAME', 'REACHABLE', 'ENGINE', 'DAEMON']) expect(header).to.include(kept)
    expect(header).not.to.include('KERNEL')
    expect(lines.at(-1)).to.match(/^\(left out: KERNEL(, [A-Z ]+)*; --wide shows all\)$/)
  })

  it('keeps every column when they fit once shortened: OS without its codename, LAST UP without who', () => {
    const full = renderStatus(result([reached('a')]), plain, {now: NOW})
    const text = renderStatus(result([reached('a')]), plain, {now: NOW, width: widestLine(full) - 5})
    const [header, row] = cells(text)
    expect(header).to.deep.equal(STATUS_HEADER)
    expect(row).to.include('Debian 12')
    expect(row.at(-1)).to.equal('3m ago, ok')
  })

  it('leaves a table that fits as it is', () => {
    const full = renderStatus(fleet, plain, {now: NOW})
    expect(renderStatus(fleet, plain, {now: NOW, width: 500})).to.equal(full)
  })
})

