/**
 * The sandbox provider for tk.yml hosts (issue 10): given a tk.yml of sandbox
 * hosts, tk creates one machine per host on the sandbox's engine, adopts it
 * on the next run (also from a second tk process), reaches it by its tk.yml
 * name with the sandbox's key and known_hosts, says clearly when a machine
 * does not exist yet, and tk destroy removes machines with their volumes,
 * refuses ssh hosts, and with --uninstall-engine removes the engine packages, keeping the data.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {expect} from 'chai'

import {
  describeSandboxHosts,
  destroySandboxHosts,
  ensureSandboxHosts,
  FLEET_LABEL,
  machineName,
  projectPath,
  type SandboxConnection,
} from '../../src/providers/sandbox/fleet.js'
import {selectTargets} from '../../src/fleet/host-connector.js'
import type {Target} from '../../src/targets/index.js'
import {runTk} from '../run-tk.js'
import {type SandboxFixture, sandboxFixture} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFlags, target} from '../support/tk-hosts.js'

const FLEET_MODULE = fileURLToPath(new URL('../../src/providers/sandbox/fleet.ts', import.meta.url))
const HOSTS_MODULE = fileURLToPath(new URL('../../src/fleet/host-connector.ts', import.meta.url))

/** ensureSandboxHosts for one host in a tk process of its own; prints its connection as JSON. */
function ensureInAnotherProcess(config: string, host: string): Promise<SandboxConnection> {
  const script = `
    const {selectTargets} = await import(${JSON.stringify(HOSTS_MODULE)})
    const {ensureSandboxHosts} = await import(${JSON.stringify(FLEET_MODULE)})
    const [connection] = await ensureSandboxHosts(await selectTargets([${JSON.stringify(host)}], ${JSON.stringify(config)}))
    process.stdout.write(JSON.stringify(connection))`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`ensure in another process failed (${code}): ${stderr}`))))
  })
}

describe('sandbox hosts of tk.yml', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let config: string
  let home: string
  let sandboxTargets: Target[]
  const machineOf = (host: string) => machineName(projectPath(config), host)
  // A home of its own: what tk does to sandbox hosts never touches ~/.ssh.
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, HOME: home}})

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm', 'trixie']})
    dir = mkdtempSync(join(tmpdir(), 'tk-sandbox-provider-'))
    home = join(dir, 'home')
    config = join(dir, 'tk.yml')
    writeFileSync(
      config,
      [
        'provider: sandbox',
        'hosts:',
        '  - name: web1',
        '    release: bookworm',
        '  - name: db1',
        '    release: trixie',
        '  - name: ghost',
        '  - name: race1',
        '  - name: prod-1',
        '    provider: ssh',
        '    address: 192.0.2.10',
        '',
      ].join('\n'),
    )
    sandboxTargets = (await selectTargets(['@all'], config)).filter((entry) => entry.provider === 'sandbox')
  })

  after(async function () {
    this.timeout(120_000)
    if (sandboxTargets) await destroySandboxHosts(sandboxTargets)
    rmSync(dir, {recursive: true, force: true})
  })

  let first: SandboxConnection[]

  it('creates a machine per sandbox host, labelled with its tk.yml and host name', async () => {
    const targets = await selectTargets(['web1', 'db1', 'prod-1'], config)
    const messages: string[] = []
    first = await ensureSandboxHosts(targets, {onProgress: (event) => messages.push(event.message)})

    expect(first.map((entry) => [entry.target, entry.machine, entry.release, entry.created])).to.deep.equal([
      ['web1', machineOf('web1'), 'bookworm', true],
      ['db1', machineOf('db1'), 'trixie', true],
    ])
    expect(messages).to.include(`creating machine ${machineOf('web1')} (Debian bookworm)`)
    for (const entry of first) {
      expect(entry).to.include({host: '127.0.0.1', user: 'admin', hostKeyPolicy: 'strict', knownHostsFile: fixture.sandbox.home.knownHosts})
      expect(entry.identityFile).to.equal(fixture.sandbox.credentials.users.admin.identityFile)
      const machine = await fixture.sandbox.machines.get(entry.machine)
      expect(machine.labels[FLEET_LABEL.project]).to.equal(projectPath(config))
      expect(machine.labels[FLEET_LABEL.host]).to.equal(entry.target)
    }
  })

  it('adopts the machines on the next run, from this process or another', async () => {
    const again = await ensureSandboxHosts(sandboxTargets.filter((entry) => entry.name === 'web1' || entry.name === 'db1'))
    expect(again.map((entry) => entry.containerId)).to.deep.equal(first.map((entry) => entry.containerId))
    expect(again.every((entry) => !entry.created && !entry.started)).to.equal(true)
    const fromOutside = await ensureInAnotherProcess(config, 'web1')
    expect(fromOutside.containerId).to.equal(first[0].containerId)
  })

  it('makes one machine when two tk processes ensure the same new host at once', async () => {
    const [one, two] = await Promise.all([ensureInAnotherProcess(config, 'race1'), ensureInAnotherProcess(config, 'race1')])
    expect(one.containerId).to.equal(two.containerId)
    expect([one.created, two.created].sort()).to.deep.equal([false, true])
    const machines = (await fixture.sandbox.machines.list()).filter((machine) => machine.name === machineOf('race1'))
    expect(machines).to.have.length(1)
  })

  it('runs tk exec on a sandbox host by its tk.yml name, with the sandbox key and known_hosts only; the machine calls itself by that name', async () => {
    const {code, stdout, stderr} = await tk(['exec', 'web1', '--', 'hostname; id -un; sudo -n id -u'])
    expect(code, stderr).to.equal(0)
    expect(stdout.trim().split('\n')).to.deep.equal(['web1', 'admin', '0'])
    expect(existsSync(join(home, '.ssh'))).to.equal(false)
  })

  it('says in one line that a sandbox host has no machine yet, and creates none', async () => {
    const {code, stdout, stderr} = await tk(['check', 'ghost'])
    expect(code).to.equal(5)
    expect(`${stdout}${stderr}`).to.include('ghost is a sandbox machine that does not exist yet; tk up creates it')
    expect(await fixture.sandbox.machines.find(machineOf('ghost'))).to.equal(undefined)
  })

  it('describes machine states without changing them, and starts a stopped machine when a command needs it', async () => {
    await fixture.sandbox.machines.stop(machineOf('web1'))
    const states = await describeSandboxHosts(sandboxTargets)
    expect(states.map((entry) => [entry.target, entry.state])).to.deep.equal([
      ['web1', 'stopped'],
      ['db1', 'running'],
      ['ghost', 'not-created'],
      ['race1', 'running'],
    ])
    expect(states[1].ssh?.port).to.be.a('number')

    const {code, stdout, stderr} = await tk(['exec', 'web1', '--', 'systemctl is-system-running --wait || true'])
    expect(code, stderr).to.equal(0)
    expect(stdout.trim()).to.be.oneOf(['running', 'degraded'])
    expect((await describeSandboxHosts(sandboxTargets))[0].state).to.equal('running')
  })

  it('refuses to destroy an ssh host, in one line', async () => {
    const {code, stdout, stderr} = await tk(['destroy', 'prod-1', '--yes'])
    expect(code).to.equal(2)
    expect(stdout).to.equal('')
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.match(/^tk: prod-1 is an ssh host: tk destroy removes only sandbox machines tk created; --uninstall-engine/)
  })

  it('refuses to destroy without --yes when there is no terminal to ask on', async () => {
    const {code, stderr} = await tk(['destroy', 'web1'])
    expect(code).to.equal(2)
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.include('add --yes')
    expect(await fixture.sandbox.machines.find(machineOf('web1'))).to.not.equal(undefined)
  })

  it('destroys every sandbox machine of tk.yml with its volumes, and is fine when they are gone', async () => {
    const {docker} = fixture.sandbox.engine
    const volumes: string[] = []
    for (const host of ['web1', 'db1', 'race1']) {
      const machine = await fixture.sandbox.machines.get(machineOf(host))
      const mounts = (await docker.getContainer(machine.id).inspect()).Mounts
      volumes.push(...mounts.filter((mount) => mount.Type === 'volume').map((mount) => mount.Name!))
    }
    expect(volumes).to.have.length(3)

    const {code, stdout, stderr} = await tk(['destroy', '--yes', '--json'])
    expect(code, stderr).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result.hosts.map((host: {target: string; result: {action: string}}) => [host.target, host.result.action])).to.deep.equal([
      ['web1', 'machine-removed'],
      ['db1', 'machine-removed'],
      ['ghost', 'machine-absent'],
      ['race1', 'machine-removed'],
    ])
    for (const host of ['web1', 'db1', 'race1']) expect(await fixture.sandbox.machines.find(machineOf(host))).to.equal(undefined)
    const remaining = ((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name)
    for (const volume of volumes) expect(remaining).to.not.include(volume)

    const again = await tk(['destroy', 'web1', '--yes'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stdout).to.include('web1: no sandbox machine (already gone)')
  })

  it('removes the engine packages from a host addressed over SSH with --uninstall-engine, keeping the machine, its images and volumes, even through a later purge', async () => {
    const snapshot = await provisionedSnapshot(fixture)
    // An image and a volume with a file in it: what a server's admin would lose.
    const machine = await engineMachine(fixture, snapshot, busyboxImageTar())
    const made = await machine.ssh('admin', 'sudo docker volume create keepme >/dev/null && echo proof | sudo tee /var/lib/docker/volumes/keepme/_data/proof >/dev/null && sudo docker image inspect -f ok tk-busybox')
    expect(made.stdout.trim(), made.stderr).to.equal('ok')
    const data = "sudo cat /var/lib/docker/volumes/keepme/_data/proof; sudo ls /var/lib/docker/image/overlay2/imagedb/content/sha256 | wc -l; dpkg-query -W -f '${db:Status-Abbrev}\\n' docker.io"
    const [proof, images] = (await machine.ssh('admin', data)).stdout.split('\n')
    expect([proof, Number(images) > 0]).to.deep.equal(['proof', true])

    const {code, stdout, stderr} = await runTk(['destroy', target(machine), ...sandboxFlags(fixture), '--uninstall-engine', '--yes', '--json'], {env: cleanEnv})
    expect(code, stderr).to.equal(0)
    // The images and the volume's file are there still (the code before issue 19 purged docker.io, which deleted them).
    const kept = await machine.ssh('admin', data)
    expect(kept.stdout.split('\n').slice(0, 3), kept.stderr).to.deep.equal([proof, images, 'rc '])
    const [host] = JSON.parse(stdout).hosts
    expect(host.result.action).to.equal('engine-uninstalled')
    expect(host.result.removed).to.include.members(['docker.io', 'containerd', 'runc'])
    expect(host.result.disarmed).to.deep.equal(['/var/lib/docker/nuke-graph-directory.sh'])
    expect(host.result.kept).to.include('/var/lib/docker')

    const after = await machine.ssh('admin', "dpkg-query -W -f '${db:Status-Abbrev}\\n' docker.io containerd runc 2>/dev/null; command -v dockerd || echo no-dockerd")
    expect(after.code, after.stderr).to.equal(0)
    expect(after.stdout).to.not.match(/^ii/m)
    expect(after.stdout).to.include('no-dockerd')
    // What it says stays is there: tk deletes no data.
    for (const path of host.result.kept as string[]) expect((await machine.ssh('admin', `test -e ${path}`)).code, path).to.equal(0)

    // The packages' "rc" leftovers: an admin's later purge runs docker.io's purge script, which finds its copy inert.
    const purge = await machine.ssh('admin', 'sudo DEBIAN_FRONTEND=noninteractive apt-get -q -y purge docker.io')
    expect(purge.code, purge.stderr).to.equal(0)
    const purged = await machine.ssh('admin', data)
    expect(purged.stdout.split('\n').slice(0, 2), purged.stderr).to.deep.equal([proof, images])
    console.log(`      kept: ${(host.result.kept as string[]).join(', ') || 'nothing'}`)
  })
})
