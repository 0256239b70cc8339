/** tk.yml host names and @groups as targets, against real sandbox machines. */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, sandboxFleetYaml} from '../support/tk-hosts.js'

describe('tk.yml names and groups as targets on sandbox machines', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: TestMachine[]

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm', 'trixie']})
    machines = await Promise.all([
      fixture.machine({release: 'bookworm', keep: true}),
      fixture.machine({release: 'bookworm', keep: true}),
      fixture.machine({release: 'trixie', keep: true}),
    ])
    dir = mkdtempSync(join(tmpdir(), 'tk-config-targets-'))
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(fixture, [
        {name: 'web-1', machine: machines[0], groups: ['web']},
        {name: 'web-2', machine: machines[1], groups: ['web']},
        {name: 'db-1', machine: machines[2], groups: ['db']},
      ]),
    )
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  // Flags go right after the command: for exec, whatever follows -- is the remote command.
  const tk = ([command, ...rest]: string[]) => runTk([command, '--known-hosts', fixture.sandbox.home.knownHosts, ...rest], {cwd: dir, env: cleanEnv})

  it('checks exactly the hosts of a group', async () => {
    const {code, stdout, stderr} = await tk(['check', '@web', '--json'])
    expect(code, stderr).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result.hosts.map((host: {target: string}) => host.target)).to.deep.equal(['web-1', 'web-2'])
    expect(result.summary).to.deep.equal({passed: 2, failed: 0, unreachable: 0})
  })

  it('reaches a host by its tk.yml name, with its user, port and key from the file', async () => {
    const {code, stdout, stderr} = await tk(['exec', 'db-1', '--', '. /etc/os-release; echo "$(id -un) $VERSION_CODENAME $(hostname)"'])
    expect(code, stderr).to.equal(0)
    expect(stdout.trim()).to.equal(`admin trixie ${machines[2].name}`)
  })

  it('mixes names and groups without running a host twice', async () => {
    const {code, stdout} = await tk(['exec', 'web-1', '@web', 'db-1', '--', 'true'])
    expect(code).to.equal(0)
    expect(stdout).to.equal('')
    const {stderr} = await tk(['exec', 'web-1', '@web', 'db-1', '--', 'true'])
    expect(stderr.match(/^(web-1|web-2|db-1) +0 /gm)).to.have.length(3)
  })

  it('refuses an unknown name, listing the known ones', async () => {
    const {code, stderr} = await tk(['check', 'web-3'])
    expect(code).to.equal(3)
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.contain('web-1').and.contain('@web').and.contain('@db')
  })
  it('tk provision by a tk.yml name applies the file\'s engine settings, the command line\'s over them', async () => {
    const project = join(dir, 'engine-project')
    mkdirSync(project)
    writeFileSync(
      join(project, 'tk.yml'),
      sandboxFleetYaml(fixture, [{name: 'web-1', machine: machines[0], groups: ['web']}], [
        'engine:',
        '  compose: false',
        '  users: [op]',
        '  daemon:',
        '    log-driver: json-file',
        '    log-opts: {max-size: 10m, max-file: "3"}',
      ]),
    )
    const provisioned = await runTk(['provision', 'web-1', '--known-hosts', fixture.sandbox.home.knownHosts, '--daemon-opt', 'log-opts.max-size=20m', '--json'], {cwd: project, env: cleanEnv})
    expect(provisioned.code, provisioned.stderr + provisioned.stdout).to.equal(0)
    const daemon = await machines[0].ssh('admin', 'sudo -n cat /etc/docker/daemon.json')
    expect(JSON.parse(daemon.stdout)).to.deep.equal({'log-driver': 'json-file', 'log-opts': {'max-size': '20m', 'max-file': '3'}})
    const op = await machines[0].ssh('op', 'id -nG')
    expect(op.stdout.split(/\s+/)).to.include('docker')

    // Run again with the same file and command line: nothing to do.
    const again = await runTk(['provision', 'web-1', '--known-hosts', fixture.sandbox.home.knownHosts, '--daemon-opt', 'log-opts.max-size=20m', '--json'], {cwd: project, env: cleanEnv})
    expect(again.code, again.stderr).to.equal(0)
    expect(JSON.parse(again.stdout).summary.changed).to.equal(0)
  })
})
