/**
 * examples/sandbox, as a user runs it: `tk up` creates its three sandbox
 * machines and converges them (engine, docker users, a shell, a file and a
 * docker provisioner: a web container serving the file), a second run
 * changes nothing, and `tk destroy` removes the machines with their volumes.
 * The example is copied to a temporary directory first: machines belong to a
 * tk.yml's path, so the run never touches machines made from the checkout.
 */
import {expect} from 'chai'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Sandbox} from '../../src/providers/sandbox/index.js'
import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture} from '../support/sandbox.js'
import {cleanEnv} from '../support/tk-hosts.js'

const EXAMPLE = fileURLToPath(new URL('../../examples/sandbox', import.meta.url))

describe('examples/sandbox: tk up, then tk destroy', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let sandbox: Sandbox
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run')}})
  const machinesOfRun = async () => (await sandbox.machines.list()).filter((machine) => machine.labels?.['tk.sandbox.project']?.startsWith(dir))

  before(async () => {
    // The fixture starts the engine when needed and builds the three releases' images.
    fixture = await sandboxFixture({releases: ['bullseye', 'bookworm', 'trixie']})
    sandbox = fixture.sandbox
    dir = mkdtempSync(join(tmpdir(), 'tk-example-'))
    cpSync(EXAMPLE, dir, {recursive: true})
  })

  after(async () => {
    // Whatever a failed test left: removed by tk itself.
    if (dir) await tk(['destroy', '--yes'])
    rmSync(dir, {recursive: true, force: true})
  })

  it('tk up creates the three machines and converges them', async () => {
    const {code, stdout, stderr} = await tk(['up', '--json'])
    expect(code, stderr + stdout.slice(-3000)).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result.summary).to.include({succeeded: 3, failed: 0})
    expect(stderr).to.match(/creating machine web-1-/)
    expect((await machinesOfRun()).map((machine) => machine.labels?.['tk.sandbox.host']).sort()).to.deep.equal(['db-1', 'web-1', 'web-2'])

    const served = await tk(['exec', '@web', '--', 'busybox wget -qO- http://127.0.0.1:8080/'])
    expect(served.code, served.stderr).to.equal(0)
    expect(served.stdout.match(/Served by a container/g)).to.have.length(2)
    // Published on this machine's loopback: web-1 at 8080, web-2 at 8081.
    for (const port of [8080, 8081]) {
      const page = await fetch(`http://127.0.0.1:${port}/`, {signal: AbortSignal.timeout(10_000)})
      expect(page.status, `127.0.0.1:${port}`).to.equal(200)
      expect(await page.text(), `127.0.0.1:${port}`).to.contain('Served by a container')
    }
    const op = await tk(['exec', 'db-1', '--', 'sudo -n -u op docker info --format "{{.LoggingDriver}}"; cat /etc/motd'])
    expect(op.stdout).to.contain('json-file').and.contain('managed by tk (examples/sandbox)')
  })

  it('a second tk up changes nothing', async () => {
    const {code, stdout, stderr} = await tk(['up', '--json'])
    expect(code, stderr).to.equal(0)
    expect(JSON.parse(stdout).summary).to.include({succeeded: 3, changed: 0})
  })

  it('tk status shows the three machines with their last tk up', async () => {
    const {code, stdout, stderr} = await tk(['status', '--json'])
    expect(code, stderr).to.equal(0)
    expect(stdout).to.contain('web-1').and.contain('web-2').and.contain('db-1')
    const hosts = JSON.parse(stdout).hosts as Array<{name: string; serviceAddress?: string}>
    expect(hosts.find((host) => host.name === 'web-1')?.serviceAddress).to.equal('127.0.0.1:8080')
    expect(hosts.find((host) => host.name === 'web-2')?.serviceAddress).to.equal('127.0.0.1:8081')
    expect(hosts.find((host) => host.name === 'db-1')?.serviceAddress).to.match(/^\d+\.\d+\.\d+\.\d+$/)
  })

  it('tk destroy removes the machines and their volumes', async () => {
    const docker = sandbox.engine.docker
    const mounts = await Promise.all((await machinesOfRun()).map(async (machine) => (await docker.getContainer(machine.id).inspect()).Mounts))
    const volumes = mounts.flat().filter((mount) => mount.Type === 'volume').map((mount) => mount.Name!)
    expect(volumes).to.have.length.above(0)
    const {code, stderr} = await tk(['destroy', '--yes'])
    expect(code, stderr).to.equal(0)
    expect(await machinesOfRun()).to.deep.equal([])
    const left = new Set(((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name))
    expect(volumes.filter((name) => left.has(name))).to.deep.equal([])
    const again = await tk(['status', '--json'])
    expect(again.stdout).to.contain('not')
  })
})
