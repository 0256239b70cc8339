/**
 * tk status on sandbox machines: given a tk.yml of a bare bookworm host, a
 * provisioned one that `tk up` has been to, and one that is frozen (its
 * container paused), tk status shows all three rows right, exits with the
 * unreachable host's code, and --json says the same. It never starts a
 * stopped engine.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ExitCode} from '../../src/errors/exit-codes.js'
import type {StatusResult} from '../../src/status/gather.js'
import type {HostState} from '../../src/facts/up-state.js'
import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, provisionedSnapshot, sandboxFlags, sandboxFleetYaml, target, waitForEngine} from '../support/tk-hosts.js'

const BOOKWORM = 'Debian GNU/Linux 12 (bookworm)'

describe('tk status on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let snapshot: string
  let bare: TestMachine
  let provisioned: TestMachine
  let frozen: TestMachine
  let engineVersion: string
  // 3 h 10 min ago: "3h ago" however long the machines take to make.
  const lastUp = {at: new Date(Date.now() - 190 * 60_000).toISOString(), by: 'tester@ci', tkVersion: '0.1.0', ok: true, changed: 3, durationMs: 4321}

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    snapshot = await provisionedSnapshot(fixture)
    ;[bare, provisioned, frozen] = await Promise.all([
      fixture.machine({release: 'bookworm', keep: true}),
      fixture.machine({snapshot, keep: true}),
      fixture.machine({release: 'bookworm', keep: true}),
    ])
    engineVersion = await waitForEngine(provisioned)

    // What `tk up` leaves behind (src/facts/up-state.ts): root's file, world-readable.
    const state: HostState = {version: 1, lastUp, provisioners: {}}
    const written = await provisioned.ssh('admin', 'sudo -n mkdir -p /var/lib/tk && sudo -n tee /var/lib/tk/state.json >/dev/null && sudo -n chmod 0644 /var/lib/tk/state.json', {
      // No final newline: the script must still end its output right.
      input: JSON.stringify(state, null, 2),
    })
    expect(written.code, written.stderr).to.equal(0)

    await fixture.sandbox.engine.docker.getContainer(frozen.machine.id).pause()

    dir = mkdtempSync(join(tmpdir(), 'tk-status-'))
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(fixture, [
        {name: 'bare', machine: bare, groups: ['web']},
        {name: 'engine', machine: provisioned, groups: ['web']},
        {name: 'frozen', machine: frozen, groups: ['db']},
      ]),
    )
  })

  after(async () => {
    if (frozen) await fixture.sandbox.engine.docker.getContainer(frozen.machine.id).unpause().catch(() => {})
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  const tk = (args: string[], options: {cwd?: string} = {}) =>
    runTk(['status', '--known-hosts', fixture.sandbox.home.knownHosts, '--connect-timeout', '2', ...args], {cwd: options.cwd ?? dir, env: cleanEnv})

  it('shows every tk.yml host without arguments: a bare host, a provisioned one, a frozen one; exits with the connection failure\'s code', async () => {
    const {code, stdout, stderr} = await tk([])
    expect(code, stderr).to.equal(ExitCode.CONNECTION)
    const lines = stdout.trimEnd().split('\n')
    const row = (name: string) => lines.find((line) => line.startsWith(`${name} `))!.split(/ {2,}/)
    expect(lines[0].split(/ {2,}/)).to.deep.equal(['NAME', 'ADDRESS', 'REACHABLE', 'OS', 'KERNEL', 'ENGINE', 'DAEMON', 'DOCKER GROUP', 'LAST UP'])
    const kernel = (await bare.ssh('admin', 'uname -r')).stdout.trim()
    expect(row('bare')).to.deep.equal(['bare', `admin@127.0.0.1:${bare.port}`, 'yes', BOOKWORM, kernel, '-', 'not installed', 'no group', 'never'])
    expect(row('engine')).to.deep.equal(['engine', `admin@127.0.0.1:${provisioned.port}`, 'yes', BOOKWORM, kernel, engineVersion, 'running', 'admin', '3h ago by tester@ci, ok'])
    expect(row('frozen')).to.deep.equal(['frozen', `admin@127.0.0.1:${frozen.port}`, 'no (timeout)', '-', '-', '-', '-', '-', '-'])
    // Why, in the transport's words, after the table.
    expect(lines.at(-1)).to.match(/^✘ frozen: Connection to admin@127\.0\.0\.1:\d+ timed out after 2 s/)
    expect(stderr).to.equal('')
  })

  it('--json: the same, typed, and nothing else on stdout', async () => {
    const {code, stdout} = await tk(['--json'])
    expect(code).to.equal(ExitCode.CONNECTION)
    const result = JSON.parse(stdout) as StatusResult
    expect(result.summary).to.deep.equal({reachable: 2, unreachable: 1})
    const [bareHost, engineHost, frozenHost] = result.hosts
    expect(result.hosts.map((host) => host.name)).to.deep.equal(['bare', 'engine', 'frozen'])
    expect(bareHost).to.deep.include({reachable: true, address: `admin@127.0.0.1:${bare.port}`})
    expect(bareHost.facts).to.deep.include({os: BOOKWORM, user: 'admin', engine: {daemon: 'not-installed'}})
    expect(bareHost.facts).not.to.have.property('lastUp')
    expect(bareHost.facts).not.to.have.property('dockerGroup')
    expect(engineHost.facts?.engine).to.deep.include({daemon: 'running', version: engineVersion, versionFrom: 'server', access: true, socket: '/var/run/docker.sock'})
    expect(engineHost.facts?.dockerGroup).to.deep.equal(['admin'])
    expect(engineHost.facts?.lastUp).to.deep.equal(lastUp)
    expect(frozenHost).to.deep.include({reachable: false})
    expect(frozenHost.problem).to.include({reason: 'timeout', exitCode: ExitCode.CONNECTION})
    expect(frozenHost).not.to.have.property('facts')
  })

  it('a group selects only its hosts, and exits 0 when all of them answered', async () => {
    const {code, stdout, stderr} = await tk(['@web', '--json'])
    expect(code, stderr).to.equal(0)
    expect((JSON.parse(stdout) as StatusResult).hosts.map((host) => host.name)).to.deep.equal(['bare', 'engine'])
    const db = await tk(['@db'])
    expect(db.code).to.equal(ExitCode.CONNECTION)
    expect(db.stdout.split('\n').filter((line) => /^(bare|engine|frozen) /.test(line))).to.have.length(1)
  })

  it('a user outside the docker group, as a raw target: running by its pid, the package\'s version, no access', async () => {
    const {code, stdout, stderr} = await runTk(['status', target(provisioned, 'op'), ...sandboxFlags(fixture, 'op'), '--json'], {env: cleanEnv})
    expect(code, stderr).to.equal(0)
    const [host] = (JSON.parse(stdout) as StatusResult).hosts
    expect(host).to.include({name: target(provisioned, 'op'), address: target(provisioned, 'op'), reachable: true})
    expect(host.facts?.user).to.equal('op')
    expect(host.facts?.engine).to.include({daemon: 'running', versionFrom: 'package', package: 'docker.io', access: false})
    expect(engineVersion.startsWith(host.facts!.engine.version!)).to.equal(true)

    const table = await runTk(['status', target(provisioned, 'op'), ...sandboxFlags(fixture, 'op')], {env: cleanEnv})
    expect(table.stdout).to.contain('(installed)').and.contain('running (no access)')
  })

  it('asks the docker CLI when sshd forbids a channel to the engine\'s socket; says a stopped engine is stopped and does not start it', async () => {
    const machine = await fixture.machine({snapshot})
    await waitForEngine(machine)
    const forbidden = await machine.ssh('admin', "echo 'AllowStreamLocalForwarding no' | sudo -n tee /etc/ssh/sshd_config.d/tk-test.conf >/dev/null && sudo -n systemctl reload ssh")
    expect(forbidden.code, forbidden.stderr).to.equal(0)
    const asked = await runTk(['status', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
    expect(asked.code, asked.stderr).to.equal(0)
    const cliEngine = (JSON.parse(asked.stdout) as StatusResult).hosts[0].facts?.engine
    expect(cliEngine).to.deep.include({daemon: 'running', version: engineVersion, versionFrom: 'server', access: true})
    // The CLI's run of the script names no socket to ask.
    expect(cliEngine).not.to.have.property('socket')

    // docker.socket stays active when the service stops: asking the socket would start the engine again.
    const stopped = await machine.ssh('admin', 'sudo -n systemctl stop docker.service && systemctl is-active docker.socket')
    expect(stopped.stdout.trim(), stopped.stderr).to.equal('active')

    const {code, stdout, stderr} = await runTk(['status', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
    expect(code, stderr).to.equal(0)
    const [host] = (JSON.parse(stdout) as StatusResult).hosts
    expect(host.facts?.engine).to.include({daemon: 'stopped', versionFrom: 'package', unit: 'inactive'})
    expect((await machine.ssh('admin', 'systemctl is-active docker.service')).stdout.trim()).to.equal('inactive')
  })

  it('without arguments and without a tk.yml: one line saying what to do, exit 3 as every command that needs a tk.yml', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tk-status-empty-'))
    try {
      const {code, stdout, stderr} = await runTk(['status'], {cwd: empty, env: {...cleanEnv, TK_CONFIG: ''}})
      expect(code).to.equal(ExitCode.INPUT)
      expect(stdout).to.equal('')
      expect(stderr.trim().split('\n')).to.have.length(1)
      expect(stderr).to.match(/^tk: no hosts given, and no tk\.yml in .* or any directory above it; name hosts/)
    } finally {
      rmSync(empty, {recursive: true, force: true})
    }
  })
})
