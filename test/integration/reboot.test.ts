/**
 * tk reboot on real sandbox machines, reached as tk.yml's sandbox hosts: the
 * machine's init reboots, the engine starts it again (its restart policy),
 * its SSH port changes and tk finds the new one through the provider.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {selectTargets} from '../../src/fleet/host-connector.js'
import {ensureSandboxHosts, type SandboxConnection} from '../../src/providers/sandbox/fleet.js'
import {runTk} from '../run-tk.js'
import {type SandboxFixture, sandboxFixture} from '../support/sandbox.js'
import {cleanEnv} from '../support/tk-hosts.js'

interface RebootJson {
  hosts: Array<{target: string; ok: boolean; error?: {message: string}; result?: {askedAt: string; backAt: string; backAfterMs: number; kernelBefore: string; kernelAfter: string; systemState: string}}>
  summary: {succeeded: number; failed: number; skipped: number}
}

describe('tk reboot on sandbox hosts', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: SandboxConnection[]
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, HOME: join(dir, 'home')}})
  const on = (host: string, command: string) => tk(['exec', host, '--', command])

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm', 'bullseye']})
    dir = mkdtempSync(join(tmpdir(), 'tk-reboot-'))
    writeFileSync(join(dir, 'tk.yml'), 'provider: sandbox\nhosts:\n  - name: rb-1\n  - name: rb-2\n  - name: rb-3\n    release: bullseye\n')
    machines = await ensureSandboxHosts(await selectTargets(['rb-1', 'rb-2', 'rb-3'], join(dir, 'tk.yml')))
  })

  after(async () => {
    if (dir) {
      await tk(['destroy', '--yes'])
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('--serial 1 reboots one machine at a time; each comes back with its disk, network address and host key, on a new SSH port', async () => {
    const before: Record<string, string> = {}
    for (const host of ['rb-1', 'rb-2']) {
      // eslint-disable-next-line no-await-in-loop
      const run = await on(host, `echo kept-${host} > /var/tmp/tk-reboot-mark; hostname -I; cat /etc/ssh/ssh_host_ed25519_key.pub; sed 's/^.*) //' /proc/1/stat | cut -d' ' -f20`)
      expect(run.code, run.stderr).to.equal(0)
      before[host] = run.stdout
    }
    const portsBefore = machines.slice(0, 2).map((machine) => machine.port)

    const run = await tk(['reboot', 'rb-1', 'rb-2', '--serial', '1', '--json'])
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    const json = JSON.parse(run.stdout) as RebootJson
    expect(json.summary).to.deep.equal({succeeded: 2, failed: 0, skipped: 0})
    const [first, second] = json.hosts.map((host) => host.result!)
    // The second was asked to go down only after the first answered from its new boot.
    expect(Date.parse(second.askedAt)).to.be.at.least(Date.parse(first.backAt))
    for (const result of [first, second]) {
      expect(result.kernelAfter).to.equal(result.kernelBefore)
      expect(result.systemState).to.match(/^(running|degraded)$/)
    }

    const fresh = await ensureSandboxHosts(await selectTargets(['rb-1', 'rb-2'], join(dir, 'tk.yml')))
    // The engine made each start again; independent of tk's account: the container's start is after the first was asked.
    const docker = fixture.sandbox.engine.docker
    const started = await Promise.all(fresh.map(async (machine) => Date.parse((await docker.getContainer(machine.containerId).inspect()).State.StartedAt)))
    expect(started[0]).to.be.at.least(Date.parse(first.askedAt))
    expect(started[0], 'rb-1 booted again before rb-2 was asked to reboot').to.be.at.most(Date.parse(second.askedAt))
    expect(started[1]).to.be.at.least(Date.parse(second.askedAt))
    expect(fresh.map((machine) => machine.port)).to.not.deep.equal(portsBefore)

    for (const host of ['rb-1', 'rb-2']) {
      // eslint-disable-next-line no-await-in-loop
      const after = await on(host, `cat /var/tmp/tk-reboot-mark; hostname -I; cat /etc/ssh/ssh_host_ed25519_key.pub; sed 's/^.*) //' /proc/1/stat | cut -d' ' -f20`)
      expect(after.code, after.stderr).to.equal(0)
      const [mark, address, key, initStarted] = after.stdout.trim().split('\n')
      const [addressBefore, keyBefore, initBefore] = before[host].trim().split('\n')
      expect(mark).to.equal(`kept-${host}`)
      expect(address).to.equal(addressBefore)
      expect(key).to.equal(keyBefore)
      expect(initStarted, 'PID 1 started again').to.not.equal(initBefore)
    }
  })

  it("tk upgrade --kernel: --dry-run names bookworm's backports kernel and changes nothing; the run installs it alone from backports, reboots, and says the running kernel is still the workstation's", async () => {
    const dry = await tk(['upgrade', 'rb-1', '--kernel', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).to.equal(0)
    const planned = JSON.parse(dry.stdout).hosts[0].result
    expect(planned).to.include({package: 'linux-image-amd64', suite: 'bookworm-backports', changed: 1})
    const untouched = (await on('rb-1', 'ls /etc/apt/sources.list.d/; dpkg -l "linux-image-*" 2>&1 | grep -c ^ii || true')).stdout
    expect(untouched).to.not.contain('backports')
    expect(untouched).to.match(/^0$/m)

    const kernel = (await on('rb-1', 'uname -r')).stdout.trim()
    const run = await tk(['upgrade', 'rb-1', '--kernel', '--json'])
    expect(run.code, run.stdout + run.stderr).to.equal(1)
    const failed = JSON.parse(run.stdout).hosts[0]
    expect(failed.error.message).to.match(new RegExp(`installed linux-image-amd64 \\S+ from bookworm-backports and rebooted, but the running kernel is still ${kernel.replaceAll('.', '\\.')}: this machine is a container`))
    // The kernel and what it needs came from backports; nothing else did (systemd, udev stay bookworm's).
    const host = await on('rb-1', 'cat /etc/apt/sources.list.d/tk-bookworm-backports.sources; dpkg-query -W -f "\\${Package} \\${Version}\\n" | grep "~bpo" || true; dpkg-query -W -f "\\${Version}\\n" systemd')
    expect(host.stdout).to.contain('Suites: bookworm-backports')
    const fromBackports = host.stdout.split('\n').filter((line) => line.includes('~bpo')).map((line) => line.split(' ')[0])
    expect(fromBackports, host.stdout).to.include('linux-image-amd64')
    for (const name of fromBackports) expect(name, host.stdout).to.match(/^linux-(image|base)/)
    expect(host.stdout.trim().split('\n').at(-1)).to.not.contain('bpo')
  })

  it('tk upgrade --kernel on bullseye says no newer kernel exists and leaves the host as it is', async () => {
    const run = await tk(['upgrade', 'rb-3', '--kernel', '--json'])
    expect(run.code, run.stderr).to.equal(0)
    expect(JSON.parse(run.stdout).hosts[0].result).to.include({changed: 0, note: 'Debian bullseye has no newer kernel: its backports suite is no longer published'})
  })

  it('refuses without a host, in one line', async () => {
    const run = await tk(['reboot'])
    expect(run.code).to.equal(2)
    expect(run.stderr.trim().split('\n')).to.have.length(1)
  })
})
