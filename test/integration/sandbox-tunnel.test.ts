/**
 * tk docker's tunnel to a sandbox host of tk.yml when the machine goes away
 * (issue 31): given a tunnel tk docker started, a machine removed behind its
 * back makes the next tk docker fail at once with tk's one line and exit code
 * (not docker's "connection reset" a minute later), a machine that is back is
 * reached through the same tunnel, and tk destroy stops the tunnels of the
 * machines it removes.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {destroySandboxHosts, FLEET_LABEL, machineName, projectPath} from '../../src/providers/sandbox/fleet.js'
import {selectTargets} from '../../src/fleet/host-connector.js'
import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, TestMachine} from '../support/sandbox.js'
import {cleanEnv, provisionedSnapshot, waitForEngine} from '../support/tk-hosts.js'

interface TunnelRecord {
  pid: number
  host: string
  connected: boolean
}

describe('tk docker and tk destroy: the tunnel to a sandbox host whose machine goes away', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let snapshot: string
  let dir: string
  let config: string
  // Tunnel state, sockets and docker's config of this test only.
  const env = () => ({...cleanEnv, XDG_STATE_HOME: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'run'), DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_HOST: '', DOCKER_CONTEXT: ''})
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: env()})
  const tunnels = async (): Promise<TunnelRecord[]> => JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels

  /** The machine of tk.yml's web1, made from the provisioned snapshot (an engine inside) as tk up would label it. */
  const makeMachine = async () => {
    const project = projectPath(config)
    const machine = await fixture.sandbox.machines.create({
      name: machineName(project, 'web1'),
      snapshot,
      network: fixture.network,
      labels: {[FLEET_LABEL.project]: project, [FLEET_LABEL.host]: 'web1'},
    })
    await waitForEngine(new TestMachine(fixture.sandbox, machine))
  }

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    snapshot = await provisionedSnapshot(fixture)
    dir = mkdtempSync(join(tmpdir(), 'tk-sandbox-tunnel-'))
    mkdirSync(join(dir, 'docker-config'))
    config = join(dir, 'tk.yml')
    writeFileSync(config, 'provider: sandbox\nhosts:\n  - name: web1\n')
  })

  after(async function () {
    this.timeout(120_000)
    if (!dir) return
    await tk(['tunnel', 'stop', '--all'])
    await destroySandboxHosts(await selectTargets(['web1'], config))
    rmSync(dir, {recursive: true, force: true})
  })

  it('fails at once with tk\'s line when the tunnel cannot reconnect, and goes through the same tunnel once the machine is back', async () => {
    await makeMachine()
    const first = await tk(['docker', 'web1', '--', 'ps', '--format', '{{.Names}}'])
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stderr).to.match(/started a tunnel to web1/)
    const [tunnel] = await tunnels()
    expect(tunnel).to.include({host: 'web1', connected: true})

    // Removed behind tk's back: the tunnel's connection drops and it reconnects, in vain.
    await fixture.sandbox.machines.remove(machineName(projectPath(config), 'web1'))
    for (let attempt = 0; attempt < 100 && (await tunnels())[0]?.connected !== false; attempt++) {
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect((await tunnels())[0]).to.include({pid: tunnel.pid, connected: false})

    const started = Date.now()
    const refused = await tk(['docker', 'web1', '--', 'ps'])
    expect(Date.now() - started, 'tk docker took its time').to.be.lessThan(10_000)
    expect(refused.code).to.equal(5)
    expect(refused.stdout).to.equal('')
    expect(refused.stderr.trimEnd().split('\n')).to.have.length(1)
    expect(refused.stderr).to.match(/^tk: web1 is a sandbox machine that does not exist yet; tk up creates it/)

    // The machine is back: the running tunnel reconnects on docker's request, no second tunnel starts.
    await makeMachine()
    const again = await tk(['docker', 'web1', '--', 'ps', '--format', '{{.Names}}'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stderr).not.to.contain('started a tunnel')
    expect((await tunnels()).map((record) => record.pid)).to.deep.equal([tunnel.pid])
  })

  it('tk destroy stops the tunnels of the machines it removes; tk docker then fails at once with tk\'s line', async () => {
    const [tunnel] = await tunnels()
    expect(tunnel, 'the tunnel of the test before runs').to.include({host: 'web1'})

    const destroyed = await tk(['destroy', '--yes', '--json'])
    expect(destroyed.code, destroyed.stderr).to.equal(0)
    const [host] = JSON.parse(destroyed.stdout).hosts
    expect(host.result).to.deep.include({action: 'machine-removed', tunnelsStopped: [tunnel.pid]})
    // tunnel ls lists only records whose process is still that tunnel (see src/proxy/state.ts).
    expect(await tunnels()).to.deep.equal([])

    const started = Date.now()
    const refused = await tk(['docker', 'web1', '--', 'ps'])
    expect(Date.now() - started, 'tk docker took its time').to.be.lessThan(10_000)
    expect(refused.code).to.equal(5)
    expect(refused.stderr.trimEnd().split('\n')).to.have.length(1)
    expect(refused.stderr).to.match(/^tk: web1 is a sandbox machine that does not exist yet; tk up creates it/)
    expect(await tunnels()).to.deep.equal([])
  })
})
