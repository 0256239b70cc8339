/**
 * The sandbox lifecycle beside plain tools (issue 35), on two real sandbox
 * machines of a tk.yml, made once for the file: tk exec --json on both; tk
 * halt, tk start and tk reload keep a file on the machine's disk, its host
 * key and its address on the sandbox network; OpenSSH's ssh and scp work from
 * tk ssh-config's blocks, also after the machine was restarted on another
 * port.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {selectTargets} from '../../src/fleet/host-connector.js'
import {ensureSandboxHosts} from '../../src/providers/sandbox/fleet.js'
import {runTk} from '../run-tk.js'
import {runProgram as run, sandboxFixture} from '../support/sandbox.js'
import {cleanEnv} from '../support/tk-hosts.js'

describe('sandbox lifecycle: halt, start, reload, ssh-config, exec --json', function () {
  this.timeout(10 * 60_000)
  let dir: string
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run')}})
  /** What the machine says about itself: a file on its disk, its host key, its address on the sandbox network. */
  const identity = async (host: string) => {
    const {code, stdout, stderr} = await tk(['exec', host, '--', 'cat kept.txt; cat /etc/ssh/ssh_host_ed25519_key.pub; hostname -I'])
    expect(code, stderr).to.equal(0)
    return stdout
  }

  before(async () => {
    await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-lifecycle-'))
    writeFileSync(join(dir, 'tk.yml'), 'version: 1\nprovider: sandbox\nhosts:\n  - name: web-1\n    release: bookworm\n  - name: web-2\n    release: bookworm\n')
    // Machines only (no engine): what these commands work on.
    await ensureSandboxHosts(await selectTargets(['@all'], join(dir, 'tk.yml')))
  })

  after(async () => {
    if (dir) await tk(['destroy', '--yes'])
    rmSync(dir, {recursive: true, force: true})
  })

  it('tk exec --json gives each machine its exit code, stdout, stderr and duration; a machine calls itself by its tk.yml name', async () => {
    const {code, stdout, stderr} = await tk(['exec', '--json', 'web-1', 'web-2', '--', 'hostname; echo to-stderr >&2; test "$(hostname)" = web-1'])
    expect(code, stderr).to.equal(1) // web-2's command exits 1
    const result = JSON.parse(stdout)
    expect(result.hosts.map((host: {target: string}) => host.target)).to.deep.equal(['web-1', 'web-2'])
    expect(result.hosts[0]).to.include({exitCode: 0, stdout: 'web-1\n', stderr: 'to-stderr\n'})
    expect(result.hosts[1]).to.include({exitCode: 1, stdout: 'web-2\n', stderr: 'to-stderr\n'})
    for (const host of result.hosts) expect(host.durationMs).to.be.a('number').above(0)
  })

  it('tk halt, tk start and tk reload keep the disk, the host key and the address', async () => {
    const wrote = await tk(['exec', '@all', '--', 'echo "written on $(hostname)" > kept.txt'])
    expect(wrote.code, wrote.stderr).to.equal(0)
    const before = {web1: await identity('web-1'), web2: await identity('web-2')}
    expect(before.web1).to.match(/^written on web-1\nssh-ed25519 \S+ .*\n\d+\.\d+\.\d+\.\d+ \n$/)

    const halted = await tk(['halt', '--json'])
    expect(halted.code, halted.stderr).to.equal(0)
    expect(JSON.parse(halted.stdout).hosts.map((host: {change: string}) => host.change)).to.deep.equal(['stopped', 'stopped'])
    const status = await tk(['status', 'web-1'])
    expect(status.stdout).to.match(/web-1.*stopped/)
    // Started the other way round: the engine would hand each the other's address.
    for (const host of ['web-2', 'web-1']) {
      const started = await tk(['start', host])
      expect(started.code, started.stderr).to.equal(0)
      expect(started.stdout).to.match(new RegExp(`${host}: started`))
    }
    expect({web1: await identity('web-1'), web2: await identity('web-2')}).to.deep.equal(before)

    const reloaded = await tk(['reload', 'web-1'])
    expect(reloaded.code, reloaded.stderr).to.equal(0)
    expect(reloaded.stdout).to.contain('web-1: restarted')
    expect(await identity('web-1')).to.equal(before.web1)
  })

  it('ssh and scp work from tk ssh-config, also after the machine restarted on another port', async () => {
    const config = join(dir, 'ssh_config')
    const made = await tk(['ssh-config'])
    expect(made.code, made.stderr).to.equal(0)
    expect(made.stdout).to.contain('Host web-1\n').and.contain('StrictHostKeyChecking yes').and.contain('ProxyCommand ')
    writeFileSync(config, made.stdout)
    const ssh = (host: string, command: string) => run('ssh', ['-F', config, '-o', 'BatchMode=yes', host, command])

    const first = await ssh('web-1', 'hostname')
    expect(first, first.stderr).to.include({code: 0, stdout: 'web-1\n'})
    writeFileSync(join(dir, 'payload.txt'), 'sent with scp\n')
    const sent = await run('scp', ['-F', config, '-o', 'BatchMode=yes', join(dir, 'payload.txt'), 'web-2:/tmp/payload.txt'])
    expect(sent.code, sent.stderr).to.equal(0)
    expect((await ssh('web-2', 'cat /tmp/payload.txt')).stdout).to.equal('sent with scp\n')

    const sshPort = async (command: string) => JSON.parse((await tk([command, '--json', 'web-1'])).stdout).hosts[0].ssh.port as number
    const portBefore = await sshPort('start') // already running: says where
    expect(await sshPort('reload')).to.not.equal(portBefore)
    const after = await ssh('web-1', 'true')
    expect(after.code, after.stderr).to.equal(0)
    const back = await run('scp', ['-F', config, '-o', 'BatchMode=yes', 'web-2:/tmp/payload.txt', join(dir, 'back.txt')])
    expect(back.code, back.stderr).to.equal(0)
    expect(readFileSync(join(dir, 'back.txt'), 'utf8')).to.equal('sent with scp\n')
  })
})
