/**
 * tk provision on real sandbox machines: real apt from Debian's archive,
 * real systemd, real dockerd.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {boundScript, hostScript} from '../../src/transport/host-scripts.js'
import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, target} from '../support/tk-hosts.js'

interface StepJson {
  id: string
  result: string
  detail: string
}
interface HostJson {
  target: string
  ok: boolean
  result?: {changed: number; steps: StepJson[]; engine?: {version: string}}
  error?: {message: string; exitCode: number}
}

const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const

describe('tk provision on sandbox machines', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  const fresh: Partial<Record<(typeof RELEASES)[number], TestMachine>> = {}
  const snapshots: string[] = []

  const provision = (machines: TestMachine[], ...extra: string[]) =>
    runTk(['provision', ...machines.map((machine) => target(machine)), ...sandboxFlags(fixture), '--json', ...extra], {env: cleanEnv})
  const stepsOf = (host: HostJson) => Object.fromEntries((host.result?.steps ?? []).map((step) => [step.id, step]))
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout
  }
  /** What a re-run must not change: the daemon's start, the packages, dpkg's log. */
  const state = (machine: TestMachine) =>
    root(machine, 'systemctl show -p MainPID -p ActiveEnterTimestampMonotonic docker; dpkg-query -W | md5sum; wc -l < /var/log/dpkg.log')

  before(async function () {
    fixture = await sandboxFixture()
    dir = mkdtempSync(join(tmpdir(), 'tk-provision-'))
  })

  after(async () => {
    rmSync(dir, {recursive: true, force: true})
    for (const name of snapshots) await fixture.sandbox.machines.removeSnapshot(name)
  })

  it('installs a running, enabled engine on bullseye, bookworm and trixie, with the login user and --docker-user given access', async () => {
    const machines = await Promise.all(RELEASES.map((release) => fixture.machine({release, keep: true})))
    for (const [index, release] of RELEASES.entries()) fresh[release] = machines[index]

    const {code, stdout, stderr} = await provision(machines, '--docker-user', 'op')
    expect(code, stderr + stdout).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result.summary).to.include({succeeded: 3, failed: 0})
    for (const host of result.hosts as HostJson[]) {
      const steps = stepsOf(host)
      expect(steps.install.result, host.target).to.equal('changed')
      expect(steps.service.result).to.equal('changed')
      expect(steps['docker-users']).to.include({result: 'changed', detail: 'add admin, op'})
      expect(steps.verify.result).to.equal('verified')
    }

    const image = busyboxImageTar()
    for (const machine of machines) {
      // A new session as admin, without sudo: the group membership works.
      const ps = await machine.ssh('admin', 'docker ps --format "{{.ID}}" && id -nG')
      expect(ps.code, ps.stderr).to.equal(0)
      expect(ps.stdout.split(/\s+/)).to.include('docker')
      expect((await machine.ssh('op', 'id -nG')).stdout.split(/\s+/)).to.include('docker')
      expect((await root(machine, 'systemctl is-enabled docker; systemctl is-active docker')).split('\n').slice(0, 2)).to.deep.equal(['enabled', 'active'])
      // A container runs, from an image made here and fed through tk exec --stdin.
      const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {env: cleanEnv, input: image})
      expect(imported.code, imported.stderr).to.equal(0)
      const run = await machine.ssh('admin', 'docker run --rm tk-busybox echo container-ran')
      expect(run.stdout.trim(), run.stderr).to.equal('container-ran')
    }
  })

  it('changes nothing on a second run: no package operation, no restart; --smoke-image runs a container', async () => {
    const machines = RELEASES.map((release) => fresh[release]!)
    const before = await Promise.all(machines.map((machine) => state(machine)))
    const {code, stdout, stderr} = await provision(machines, '--docker-user', 'op', '--smoke-image', 'tk-busybox')
    expect(code, stderr).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result.summary).to.include({succeeded: 3, changed: 0})
    for (const host of result.hosts as HostJson[]) {
      const steps = stepsOf(host)
      for (const id of ['check', 'kernel-modules', 'install', 'service', 'docker-users', 'verify']) expect(steps[id].result, `${host.target} ${id}`).to.equal('ok')
      expect(steps['smoke-test'].result).to.equal('verified')
    }
    const after = await Promise.all(machines.map((machine) => state(machine)))
    expect(after).to.deep.equal(before)
  })

  it('takes the host\'s lock that tk up and tk upgrade take: waits for another run, or fails at once with --wait 0', async () => {
    const machine = fresh.bookworm!
    // Another run holds the lock for 10 s, long enough for the refused run to end on a loaded machine (flock on the same file, the owner line written as tk writes it,
    // and a second line that would read as the lock's own "locked" if the waiter passed it on).
    await root(machine, "mkdir -p /var/lib/tk && touch /var/lib/tk/up.lock && printf 'ann@ws (tk up) since now\\nlocked owner\\n' > /var/lib/tk/up.owner")
    const holder = machine.ssh('admin', 'flock /var/lib/tk/up.lock sleep 10')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const refused = await provision([machine], '--wait', '0')
    expect(refused.code).to.equal(1)
    expect(JSON.parse(refused.stdout).hosts[0].error.message).to.match(/another tk run holds the host's lock \(ann@ws \(tk up\) since now\) and did not finish within 0 s/)
    const waited = await provision([machine], '--wait', '60')
    expect(waited.code, waited.stderr).to.equal(0)
    expect(waited.stderr).to.contain("waiting for the host's lock (held by ann@ws (tk up) since now)")
    expect((await holder).code).to.equal(0)
    expect((await root(machine, 'cat /var/lib/tk/up.owner')).trim()).to.match(/^\S+@\S+ \(tk provision\) since \d{4}-/)
    // Written through sudo once, the owner line is the login user's to write from then on: no sudo for it on each run.
    expect((await root(machine, 'stat -c %U /var/lib/tk/up.owner')).trim()).to.equal('admin')
    const again = await provision([machine])
    expect(again.code, again.stderr).to.equal(0)
    expect((await root(machine, 'cat /var/lib/tk/up.owner')).trim()).to.match(/^\S+@\S+ \(tk provision\) since \d{4}-/)
  })

  it("lets the host's lock go when the run holding it goes silent for the idle limit (a laptop asleep)", async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    // The lock files as tk sets them up on a first run, admin in the tk group (its next login has it).
    const setup = await machine.ssh('admin', 'sudo -n sh -s', {input: await boundScript('lock-setup.sh', ['admin', '0'])})
    expect(setup.code, setup.stderr).to.equal(0)
    const script = await hostScript('up-lock.sh')
    const put = await machine.ssh('admin', 'cat > /tmp/up-lock.sh', {input: script})
    expect(put.code, put.stderr).to.equal(0)
    // The holder's input stays open but silent (sleep writes nothing), as from a tk that is cut off; idle limit 2 s.
    const probe = [
      '( sleep 10 </dev/null 2>/dev/null | sh -c "$(cat /tmp/up-lock.sh)" up-lock 0 "ann@ws (tk up) since now" 2 > /tmp/up-lock.out 2>&1 & )',
      'sleep 1; flock -n /var/lib/tk/up.lock true && echo free || echo held',
      'sleep 3; flock -n /var/lib/tk/up.lock true && echo free || echo held',
      'cat /tmp/up-lock.out',
    ].join('\n')
    const {stdout} = await machine.ssh('admin', probe)
    expect(stdout).to.equal('held\nfree\nlocked\n')
  })

  it('--dry-run on a bare machine plans the install and changes nothing', async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    const fingerprint = () => root(machine, 'dpkg-query -W | md5sum; find /etc /usr/bin /var/lib/dpkg -xdev -type f -exec md5sum {} + | sort | md5sum; getent group docker || true')
    const before = await fingerprint()
    const {code, stdout} = await provision([machine], '--dry-run')
    expect(code).to.equal(0)
    const [host] = JSON.parse(stdout).hosts as HostJson[]
    const steps = stepsOf(host)
    expect(steps.install).to.include({result: 'would-change', detail: 'apt: docker.io containerd runc tini'})
    expect(steps.service.result).to.equal('would-change')
    expect(steps['docker-users']).to.include({result: 'would-change', detail: 'add admin'})
    expect(await fingerprint()).to.equal(before)
  })

  it('waits while another process holds the dpkg lock, then succeeds', async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    // An fcntl lock on lock-frontend, as apt and unattended-upgrades take it, held for 30 s.
    const holder = [
      'use Fcntl;',
      'open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die "open: $!";',
      'my $lock = pack("ssx4qqix4", F_WRLCK, 0, 0, 0, 0);',
      'fcntl($f, F_SETLKW, $lock) or die "lock: $!";',
      'open(my $m, ">", "/tmp/tk-lock-held"); close $m;',
      'sleep 30;',
    ].join('\n')
    const written = await machine.ssh('admin', 'sudo -n sh -c "cat > /tmp/tk-hold-lock.pl"', {input: holder})
    expect(written.code, written.stderr).to.equal(0)
    await root(machine, 'nohup perl /tmp/tk-hold-lock.pl > /tmp/tk-lock.log 2>&1 &')
    const held = await machine.ssh('admin', 'for i in $(seq 100); do [ -e /tmp/tk-lock-held ] && exit 0; sleep 0.1; done; cat /tmp/tk-lock.log; exit 1')
    expect(held.code, held.stdout).to.equal(0)
    // While it is held, apt refuses outright.
    const refused = await machine.ssh('admin', 'sudo -n apt-get install -y -q hello 2>&1')
    expect(refused.stdout).to.match(/Could not get lock|Unable to acquire the dpkg frontend lock/)
    const started = Date.now()
    const {code, stdout, stderr} = await provision([machine])
    expect(code, stderr).to.equal(0)
    expect(stepsOf((JSON.parse(stdout).hosts as HostJson[])[0]).install.result).to.equal('changed')
    // apt could not have installed before the holder let go, about 30 s after it took the lock.
    expect(Date.now() - started).to.be.greaterThan(25_000)
  })

  it('finishes the install on the host when tk is interrupted (Ctrl-C) while apt runs: dpkg is never left interrupted', async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    const child = spawn(process.execPath, [TK_BIN, 'provision', target(machine), ...sandboxFlags(fixture)], {env: {...process.env, ...cleanEnv}, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      // tk dies, with its connection, once dpkg is unpacking or configuring packages.
      let unpacking = false
      for (let attempt = 0; attempt < 1200 && !unpacking; attempt++) {
        unpacking = (await machine.ssh('admin', 'pgrep -x dpkg >/dev/null && echo yes || true')).stdout.trim() === 'yes'
        if (!unpacking) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(unpacking, 'dpkg ran').to.equal(true)
    } finally {
      child.kill('SIGINT')
    }
    // tk says what becomes of the work under way, and exits as interrupted.
    expect(await exited).to.equal(130)
    expect(stderr).to.contain('tk: interrupted. Work a host had started (an install, an upgrade, a daemon.json change) finishes there by itself')
    // With nobody listening any more, apt goes on to the end: no dpkg left interrupted, the engine installed.
    let busy = true
    for (let attempt = 0; attempt < 240 && busy; attempt++) {
      busy = (await machine.ssh('admin', 'pgrep -x apt-get >/dev/null || pgrep -x dpkg >/dev/null && echo busy || true')).stdout.trim() === 'busy'
      if (busy) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(busy, 'apt finished').to.equal(false)
    const dpkg = await machine.ssh('admin', "dpkg --audit; dpkg-query -W -f '${db:Status-Abbrev}' docker.io containerd runc")
    expect(dpkg.stdout, dpkg.stderr).to.equal('ii ii ii ')
    expect(await root(machine, 'ls /tmp | grep -c tk-apt || true')).to.equal('0\n')
    // The next run takes it from there: nothing to install, the rest done.
    const again = await provision([machine])
    expect(again.code, again.stderr).to.equal(0)
    const steps = stepsOf((JSON.parse(again.stdout).hosts as HostJson[])[0])
    expect(steps.install.result).to.equal('ok')
    expect(steps['docker-users'].result).to.equal('changed')
  })

  it('adopts an engine that is already installed and never reinstalls it', async () => {
    const snapshot = `test-adopt-${process.pid}`
    await fixture.sandbox.machines.snapshot(fresh.bookworm!.name, snapshot)
    snapshots.push(snapshot)
    const machine = await fixture.machine({snapshot})
    await root(machine, 'systemctl disable --now docker.service docker.socket')
    const dpkgLog = await root(machine, 'wc -l < /var/log/dpkg.log; dpkg-query -W | md5sum')
    const {code, stdout, stderr} = await provision([machine])
    expect(code, stderr).to.equal(0)
    const steps = stepsOf((JSON.parse(stdout).hosts as HostJson[])[0])
    expect(steps.install.result).to.equal('ok')
    expect(steps.install.detail).to.match(/^adopted docker\.io 20\.10\./)
    expect(steps.service.result).to.equal('changed')
    expect(await root(machine, 'wc -l < /var/log/dpkg.log; dpkg-query -W | md5sum')).to.equal(dpkgLog)
    expect((await machine.ssh('admin', 'docker version --format "{{.Server.Version}}"')).code).to.equal(0)
  })

  it('refuses a host of a family it does not support, naming what is supported and the script method', async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    await root(machine, 'printf "ID=fedora\\nID_LIKE=\\"rhel centos\\"\\nVERSION_ID=40\\nPRETTY_NAME=\\"Fedora Linux 40\\"\\n" > /etc/os-release')
    const {code, stdout, stderr} = await runTk(['provision', target(machine), ...sandboxFlags(fixture)], {env: cleanEnv})
    expect(code).to.equal(8)
    expect(stderr).to.match(/runs Fedora Linux 40, which the distro method does not support: tk installs the engine itself on Debian and Ubuntu \(apt\); install with a script of your own: --method script/)
    expect(stdout).to.match(/FAILED/)
    expect((await machine.ssh('admin', 'command -v dockerd || echo none')).stdout.trim()).to.equal('none')
  })

  it('installs with --method script from a local script, checking --script-sha256 before anything runs, here and on the host; refuses plain http', async () => {
    const machine = await fixture.machine({release: 'bookworm'})
    const script = join(dir, 'install-docker.sh')
    const text = '#!/bin/sh\nset -eu\nexport DEBIAN_FRONTEND=noninteractive\napt-get update -q\napt-get install -y -q --no-install-recommends docker.io\necho by-script > /root/tk-install-method\n'
    writeFileSync(script, text)
    const sha = createHash('sha256').update(text).digest('hex')
    const nothingRan = async () => expect((await root(machine, 'cat /root/tk-install-method 2>/dev/null || echo none; command -v dockerd || echo none')).trim()).to.equal('none\nnone')

    // A web server on 127.0.0.1 (a stand-in for any plain http site): refused before it is even asked.
    const web = createServer((_request, response) => response.end(text))
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/install.sh`
      const insecure = await provision([machine], '--method', 'script', '--script', url)
      expect(insecure.code).to.equal(2)
      // --json: the error is a JSON object on stdout.
      expect(JSON.parse(insecure.stdout).error.message).to.equal(`--script ${url}: plain http can be changed on the way, and the script runs as root on every host`)
    } finally {
      await new Promise((resolve) => web.close(resolve))
    }

    const wrong = await provision([machine], '--method', 'script', '--script', script, '--script-sha256', '0'.repeat(64))
    expect(wrong.code).to.equal(3)
    expect(JSON.parse(wrong.stdout).error.message).to.contain(`has sha256 ${sha}, not the ${'0'.repeat(64)} --script-sha256 names: nothing was run`)
    await nothingRan()
    // The host's own check, as tk runs it: a script that changed on the way is not run.
    expect((await machine.ssh('admin', 'cat > /tmp/install.sh', {input: text})).code).to.equal(0)
    expect((await machine.ssh('admin', 'cat > /tmp/run-install-script.sh', {input: await hostScript('run-install-script.sh')})).code).to.equal(0)
    const onHost = await machine.ssh('admin', `sudo -n sh /tmp/run-install-script.sh ${'0'.repeat(64)} < /tmp/install.sh; echo "exit $?"`)
    expect(onHost.stdout.trim()).to.equal('exit 3')
    expect(onHost.stderr.trim().split('\n')).to.deep.equal([`the install script's sha256 on the host is ${sha}, not ${'0'.repeat(64)}: nothing was run`])
    await nothingRan()

    const {code, stdout, stderr} = await provision([machine], '--method', 'script', '--script', script, '--script-sha256', sha)
    expect(code, stderr).to.equal(0)
    const steps = stepsOf((JSON.parse(stdout).hosts as HostJson[])[0])
    expect(steps.install).to.include({result: 'changed', detail: `run ${script} as root`})
    expect((await root(machine, 'cat /root/tk-install-method')).trim()).to.equal('by-script')
    expect((await machine.ssh('admin', 'docker info --format "{{.ServerVersion}}"')).code).to.equal(0)
  })

  it('--engine-version installs the newest engine within the range, and says clearly when none is', async () => {
    const [inside, outside] = await Promise.all([fixture.machine({release: 'bookworm'}), fixture.machine({release: 'bookworm'})])
    const none = await runTk(['provision', target(outside), ...sandboxFlags(fixture), '--engine-version', '>=26'], {env: cleanEnv})
    expect(none.code).to.equal(1)
    expect(none.stderr).to.match(/docker\.io.*>=26.*20\.10\.24\+dfsg1-1\+deb12u1\+b6/s)
    expect((await outside.ssh('admin', 'command -v dockerd || echo none')).stdout.trim()).to.equal('none')

    const {code, stdout, stderr} = await provision([inside], '--engine-version', '^20')
    expect(code, stderr).to.equal(0)
    const steps = stepsOf((JSON.parse(stdout).hosts as HostJson[])[0])
    expect(steps.install.detail).to.match(/docker\.io 20\.10\.24\+dfsg1-1\+deb12u1\+b6 \(newest within \^20\)/)
    expect((await root(inside, 'dpkg-query -W docker.io')).trim().split(/\s+/)[1]).to.equal('20.10.24+dfsg1-1+deb12u1+b6')
  })
})
