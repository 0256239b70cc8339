/**
 * tk at fleet scale, on light hosts: real OpenSSH servers (sshd alone in a
 * container of the sandbox's Debian image, no systemd, no engine), each with
 * its own host key, on the workstation's loopback. The 200-host figures are
 * bench/scale.js's; here: every host reached, what tk says of hosts without
 * systemd, logins a real sshd drops past MaxStartups, and hosts behind one
 * jump host.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {connect, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type LightHost, LightHosts} from '../../src/providers/sandbox/light-hosts.js'
import {runTk} from '../run-tk.js'
import {type SandboxFixture, sandboxFixture} from '../support/sandbox.js'
import {cleanEnv} from '../support/tk-hosts.js'

const FLEET = 24
const BEHIND_JUMP = 12

/** A TCP connection that has had sshd's banner and then says nothing: it holds one of sshd's MaxStartups slots until LoginGraceTime. */
async function holdStartSlot(host: LightHost): Promise<Socket> {
  for (let tries = 0; tries < 50; tries++) {
    const socket = connect({host: '127.0.0.1', port: host.port})
    // eslint-disable-next-line no-await-in-loop -- one try at a time, bounded
    const first = await new Promise<string>((resolve) => {
      socket.once('data', (data) => resolve(data.toString('latin1')))
      socket.once('close', () => resolve(''))
      socket.once('error', () => resolve(''))
    })
    if (first.startsWith('SSH-')) return socket
    // Dropped: another start (sshd's own, or a probe's) still held the slot.
    socket.destroy()
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`could not take ${host.name}'s start slot`)
}

describe('fleet scale on light hosts (sshd alone, no systemd)', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let fleet: LightHosts
  let narrow: LightHosts
  let dir: string
  let env: NodeJS.ProcessEnv
  const key = () => fixture.sandbox.credentials.users.admin.identityFile
  const tk = (args: string[], extra: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...env, ...extra}})

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-scale-'))
    ;[fleet, narrow] = await Promise.all([
      LightHosts.start(fixture.sandbox, {count: FLEET + BEHIND_JUMP + 1, prefix: 'lt'}),
      // One login at a time: a second is dropped before the banner, as a busy host's sshd past MaxStartups does.
      LightHosts.start(fixture.sandbox, {count: 1, prefix: 'narrow', maxStartups: '1', verbose: true}),
    ])
    const hosts = fleet.hosts.slice(0, FLEET)
    writeFileSync(
      join(dir, 'tk.yml'),
      ['defaults:', '  user: admin', `  identityFile: ${key()}`, 'ssh:', '  hostKeyPolicy: strict', 'hosts:', ...hosts.flatMap((host) => [`  - name: ${host.name}`, '    address: 127.0.0.1', `    port: ${host.port}`]), ''].join('\n'),
    )
    env = {...cleanEnv, HOME: join(dir, 'home'), TK_KNOWN_HOSTS: fleet.knownHostsFile}
  })

  after(async () => {
    await Promise.all([fleet?.stop(), narrow?.stop()])
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it(`tk exec @all reaches all ${FLEET} hosts at once, each host's line as it finishes`, async () => {
    const run = await tk(['exec', '@all', '--', 'echo', 'hello from $(hostname)'])
    expect(run.code, run.stderr).to.equal(0)
    for (const host of fleet.hosts.slice(0, FLEET)) expect(run.stdout).to.include(`${host.name} | hello from ${host.name}`)
  })

  it('tk exec --json-lines prints one JSON line per host as each finishes, then the summary; nothing else on stdout', async () => {
    // lt-001 exits 3: its line says so, and tk exits 1 as with --json.
    const run = await tk(['exec', '--json-lines', '@all', '--', 'echo "from $(hostname)"; [ "$(hostname)" != lt-001 ] || exit 3'])
    expect(run.code, run.stderr).to.equal(1)
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).to.have.length(FLEET + 1)
    expect(lines.at(-1)).to.deep.equal({summary: {succeeded: FLEET, failed: 0, skipped: 0}})
    const hosts = lines.slice(0, -1)
    expect(hosts.map((line) => line.target).sort()).to.deep.equal(fleet.hosts.slice(0, FLEET).map((host) => host.name).sort())
    for (const line of hosts) {
      expect(line.stdout).to.equal(`from ${line.target as string}\n`)
      expect(line.exitCode).to.equal(line.target === 'lt-001' ? 3 : 0)
      expect(line.durationMs).to.be.a('number')
    }
    // With --json too: a usage error (in --json's shape), and no host is touched.
    const both = await tk(['exec', '--json', '--json-lines', '@all', '--', 'true'])
    expect(both.code).to.equal(2)
    expect(JSON.parse(both.stdout).error.message).to.include('--json-lines')
  })

  it('tk check --json-lines prints one line per host as each finishes, then the summary', async () => {
    const run = await tk(['check', '--json-lines', '@all'])
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {target?: string; ok?: boolean; report?: {verdict: string}; summary?: {passed: number; failed: number; unreachable: number}})
    expect(lines, run.stderr).to.have.length(FLEET + 1)
    const summary = lines.at(-1)!.summary!
    expect(summary.passed + summary.failed, JSON.stringify(summary)).to.equal(FLEET)
    expect(summary.unreachable).to.equal(0)
    expect(run.code).to.equal(summary.failed === 0 ? 0 : 1)
    const hosts = lines.slice(0, -1)
    expect(hosts.map((line) => line.target).sort()).to.deep.equal(fleet.hosts.slice(0, FLEET).map((host) => host.name).sort())
    for (const line of hosts) expect(line.ok).to.equal(line.report!.verdict === 'pass')
    // This machine alone has one report: --json is for that.
    const local = await tk(['check', '--json-lines'])
    expect(local.code).to.equal(2)
    expect(local.stderr).to.include('--json-lines reports hosts as each finishes')
  })

  it('tk status and tk check say plainly that the hosts have no systemd (and no engine)', async () => {
    const status = await tk(['status'])
    expect(status.code, status.stderr).to.equal(0)
    const rows = status.stdout.split('\n').filter((line) => line.startsWith('lt-'))
    expect(rows).to.have.length(FLEET)
    for (const row of rows) expect(row).to.include('not installed (no systemd: sshd)')

    const check = await tk(['check', 'lt-001', '--json'])
    expect(check.code, check.stderr).to.equal(0)
    const [host] = (JSON.parse(check.stdout) as {hosts: Array<{report: {checks: Array<{id: string; status: string; state: string}>}}>}).hosts
    const init = host.report.checks.find((item) => item.id === 'init')
    expect(init).to.deep.include({status: 'warn', state: 'sshd (not systemd)'})
  })

  it('a login a real sshd drops past MaxStartups is tried again until it gets in, and the drop is not reported', async () => {
    const host = narrow.hosts[0]
    const drops = async () => (await narrow.logs(host, 100_000)).split('\n').filter((line) => line.includes('past MaxStartups')).length
    const holder = await holdStartSlot(host)
    const before = await drops()
    // The slot is let go once sshd has dropped one of tk's logins (its own log says so), so tk's later try gets in.
    let seen = false
    const watch = (async () => {
      for (let polls = 0; polls < 300 && !seen; polls++) {
        // eslint-disable-next-line no-await-in-loop -- polled, bounded (60 s)
        if ((await drops()) > before) seen = true
        // eslint-disable-next-line no-await-in-loop
        else await new Promise((resolve) => setTimeout(resolve, 200))
      }
      holder.destroy()
    })()
    try {
      const run = await tk(['exec', `--identity=${key()}`, '--known-hosts', narrow.knownHostsFile, `admin@127.0.0.1:${host.port}`, '--', 'echo', 'in'])
      expect(run.code, run.stderr).to.equal(0)
      expect(run.stdout.trim()).to.equal('in')
      expect(run.stderr).not.to.match(/dropped|MaxStartups|closed/)
    } finally {
      seen = true
      await watch
      holder.destroy()
    }
    expect(await drops()).to.be.greaterThan(before)
  })

  it('a login dropped on every try is one line naming the likely cause, exit 5', async () => {
    const host = narrow.hosts[0]
    const holder = await holdStartSlot(host)
    try {
      const run = await tk(['exec', `--identity=${key()}`, '--known-hosts', narrow.knownHostsFile, `admin@127.0.0.1:${host.port}`, '--', 'true'])
      expect(run.code).to.equal(5)
      expect(run.stderr).to.match(/dropped 6 times in a row/)
      expect(run.stderr).to.match(/MaxStartups/)
      expect(run.stderr).not.to.match(/\n\s+at /)
    } finally {
      holder.destroy()
    }
  })

  it(`${BEHIND_JUMP} hosts behind one jump host (Debian's default MaxStartups) are all reached, and the jump host sees one login`, async () => {
    const jump = fleet.hosts.at(-1)!
    const behind = fleet.hosts.slice(FLEET, FLEET + BEHIND_JUMP)
    const config = join(dir, 'ssh_config')
    writeFileSync(
      config,
      [
        `Host ${behind.map((host) => host.name).join(' ')}`,
        '  HostName 127.0.0.1',
        '  User admin',
        `  ProxyJump admin@127.0.0.1:${jump.port}`,
        // The jump host's own login takes the key from here: -i is the target's (as OpenSSH's -J does).
        'Host 127.0.0.1',
        `  IdentityFile ${key()}`,
        ...behind.flatMap((host) => [`Host ${host.name}`, `  Port ${host.port}`]),
        '',
      ].join('\n'),
    )
    const logins = async () => (await fleet.logs(jump, 100_000)).split('\n').filter((line) => line.includes('Accepted publickey')).length
    const before = await logins()
    const run = await runTk(['exec', '--ssh-config', config, `--identity=${key()}`, '--concurrency', String(BEHIND_JUMP), ...behind.map((host) => host.name), '--', 'hostname'], {cwd: tmpdir(), env: {...env, TK_CONFIG: ''}})
    expect(run.code, run.stderr).to.equal(0)
    for (const host of behind) expect(run.stdout).to.include(`${host.name} | ${host.name}`)
    expect((await logins()) - before).to.equal(1)
  })
})
