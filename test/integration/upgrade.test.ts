/**
 * tk upgrade on real sandbox machines: bookworm with its security suite
 * enabled, provisioned by tk provision, containerd then moved back to the
 * security suite's 1.6.20~ds1-1+deb12u2 — so that bookworm's own
 * 1.6.20~ds1-1+deb12u3 is an upgrade that differs only in the Debian
 * revision. Provisioning happens once, in a prepared snapshot.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, sandboxFlags, target} from '../support/tk-hosts.js'

const OLD = '1.6.20~ds1-1+deb12u2'
const NEW = '1.6.20~ds1-1+deb12u3'

interface PackageJson {
  name: string
  from: string
  to: string
  change: string
}
interface HostJson {
  target: string
  status: 'ok' | 'failed' | 'skipped'
  startedAt?: string
  finishedAt?: string
  result?: {changed: number; restarted: boolean; range: string; packages: PackageJson[]; engine?: {version: string}; steps: Array<{id: string; result: string; detail: string}>}
  error?: {message: string; hint?: string; exitCode: number; journal?: string[]; rolledBack?: boolean; engineRunning?: boolean}
}

describe('tk upgrade on sandbox machines', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let snapshot: string

  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${quote(command)}`, {timeoutMs: 10 * 60_000})
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}${result.stdout}`)
    return result.stdout
  }
  const upgrade = async (machines: TestMachine[], ...extra: string[]) => {
    const run = await runTk(['upgrade', ...machines.map((machine) => target(machine)), ...sandboxFlags(fixture), '--json', ...extra], {env: cleanEnv})
    return {...run, json: JSON.parse(run.stdout) as {hosts: HostJson[]; summary: Record<string, number>}}
  }
  const containerd = async (machine: TestMachine) => (await root(machine, "dpkg-query -W -f '${Version}' containerd")).trim()
  const engineAnswers = async (machine: TestMachine) => (await machine.ssh('admin', 'sudo -n docker info --format "{{.ServerVersion}}"')).code === 0
  const machines = (count: number) => Promise.all(Array.from({length: count}, () => fixture.machine({snapshot})))

  before(async function () {
    this.timeout(30 * 60_000)
    fixture = await sandboxFixture({releases: ['bookworm']})
    snapshot = await fixture.preparedSnapshot('upgrade-bookworm', 'bookworm', async (machine) => {
      const provisioned = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
      if (provisioned.code !== 0) throw new Error(`provision failed: ${provisioned.stderr}${provisioned.stdout}`)
      await root(machine, 'echo "deb http://deb.debian.org/debian-security bookworm-security main" > /etc/apt/sources.list.d/security.list && apt-get -q update')
      await root(machine, `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades containerd=${OLD} && systemctl restart containerd docker && docker info >/dev/null`)
    })
  })

  it(`moves containerd ${OLD} to ${NEW}, restarting the engine once, and the engine stays healthy`, async () => {
    const [machine] = await machines(1)
    expect(await containerd(machine)).to.equal(OLD)
    // The engine's start at boot is done before the upgrade's window opens.
    await root(machine, 'until docker info >/dev/null 2>&1; do sleep 1; done; sleep 1')
    const since = (await root(machine, 'date +%s')).trim()
    await root(machine, 'sleep 1')
    const pidBefore = (await root(machine, 'systemctl show -p MainPID --value docker')).trim()

    const {code, stderr, json} = await upgrade([machine])
    expect(code, stderr).to.equal(0)
    const [host] = json.hosts
    expect(host.status).to.equal('ok')
    expect(host.result!.range).to.equal('^20')
    expect(host.result!.packages.find((item) => item.name === 'containerd')).to.include({from: OLD, to: NEW, change: 'upgrade'})
    expect(host.result!.packages.find((item) => item.name === 'docker.io')?.change).to.equal('none')
    expect(host.result!.restarted).to.equal(true)
    expect(host.result!.engine?.version).to.match(/^20\.10\./)

    expect(await containerd(machine)).to.equal(NEW)
    expect(await engineAnswers(machine)).to.equal(true)
    expect((await root(machine, 'systemctl show -p MainPID --value docker')).trim()).to.not.equal(pidBefore)
    // Once: the packages' own restarts were held back (and the policy-rc.d that held them is gone).
    const starts = await root(machine, `journalctl -u docker --since @${since} -o cat --no-pager | grep -c '^Started docker' || true`)
    expect(Number(starts.trim())).to.equal(1)
    expect((await machine.ssh('admin', 'test -e /usr/sbin/policy-rc.d')).code).to.not.equal(0)

    // A second run: nothing to move, no restart.
    const again = await upgrade([machine])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.json.hosts[0].result).to.include({changed: 0, restarted: false})
  })

  it('finishes on the host when tk is killed as soon as the new package is unpacked: the engine restarts onto it, and the next run waits for that', async () => {
    const [machine] = await machines(1)
    const mainPid = async (unit: string) => (await root(machine, `systemctl show -p MainPID --value ${unit}`)).trim()
    const engineBefore = await mainPid('docker')
    const child = spawn(process.execPath, [TK_BIN, 'upgrade', target(machine), ...sandboxFlags(fixture)], {env: {...process.env, ...cleanEnv}, stdio: 'ignore'})
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      // tk dies, with its connection, once dpkg has the new containerd in place (configured or not).
      let unpacked = false
      for (let attempt = 0; attempt < 2400 && !unpacked; attempt++) {
        unpacked = (await containerd(machine)) === NEW
        if (!unpacked) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(unpacked, 'containerd unpacked').to.equal(true)
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    // A new run right away waits for the host's own work to finish (it holds detached.lock), then finds nothing to do.
    const again = await upgrade([machine])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stderr).to.contain("waiting for the host's lock (held by an earlier run's work still going on on the host)")
    expect(again.json.hosts[0].result).to.include({changed: 0, restarted: false})
    // Nobody was connected any more: the host restarted containerd and the engine onto the new binaries all the same.
    let settled = false
    for (let attempt = 0; attempt < 240 && !settled; attempt++) {
      const state = await machine.ssh(
        'admin',
        'sudo -n sh -c \'[ ! -e /usr/sbin/policy-rc.d ] && ! pgrep -x apt-get >/dev/null && docker info >/dev/null 2>&1 && readlink /proc/$(systemctl show -p MainPID --value containerd)/exe\'',
      )
      settled = state.code === 0 && !state.stdout.includes('(deleted)') && (await mainPid('docker')) !== engineBefore
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(settled, 'containerd and the engine restarted onto the new packages, the restarts no longer held back').to.equal(true)
    const audit = await machine.ssh('admin', 'dpkg --audit')
    expect(audit.stdout + audit.stderr).to.equal('')
  })

  it('restarts containerd onto its installed version when it still runs the binary an upgrade replaced, and nothing else', async () => {
    const [machine] = await machines(1)
    // An upgrade whose restarts were held back, as a host cut off half-way by other means would leave it.
    await root(machine, `printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd=${NEW}; rm -f /usr/sbin/policy-rc.d`)
    const exe = () => root(machine, 'readlink /proc/$(systemctl show -p MainPID --value containerd)/exe')
    expect(await exe()).to.contain('(deleted)')

    const planned = await upgrade([machine], '--dry-run')
    expect(planned.code, planned.stderr).to.equal(0)
    expect(planned.json.hosts[0].result!.steps.find((step) => step.id === 'restart')).to.include({
      result: 'would-change',
      detail: 'containerd still runs a binary replaced on disk since it started: restart onto the installed version',
    })
    expect(await exe()).to.contain('(deleted)')

    const {code, json, stderr} = await upgrade([machine])
    expect(code, stderr).to.equal(0)
    expect(json.hosts[0].result).to.include({changed: 0, restarted: true})
    expect(await exe()).not.to.contain('(deleted)')
    expect(await engineAnswers(machine)).to.equal(true)
    const again = await upgrade([machine])
    expect(again.json.hosts[0].result).to.include({changed: 0, restarted: false})
  })

  it("--engine-version '>=26' on bookworm is a clear error listing the versions that exist", async () => {
    const [machine] = await machines(1)
    const installed = (await root(machine, "dpkg-query -W -f '${Version}' docker.io")).trim()
    const {code, json} = await upgrade([machine], '--engine-version', '>=26')
    expect(code).to.equal(1)
    const [host] = json.hosts
    expect(host.status).to.equal('failed')
    expect(host.error!.message).to.contain('no docker.io version within >=26')
    expect(host.error!.message).to.contain(`the host's sources offer ${installed}`)
    expect(await containerd(machine)).to.equal(OLD)

    // And for people: one line on stderr.
    const human = await runTk(['upgrade', target(machine), ...sandboxFlags(fixture), '--engine-version', '>=26'], {env: cleanEnv})
    expect(human.code).to.equal(1)
    expect(human.stderr).to.match(/✘ .*no docker\.io version within >=26: the host's sources offer 20\.10\./)
  })

  it('refuses a downgrade unless --allow-downgrade', async () => {
    const [machine] = await machines(1)
    // containerd at bookworm's newer build, while apt pinning prefers the security suite's older one.
    await root(machine, `DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd=${NEW}`)
    await root(machine, 'printf "Package: containerd\\nPin: release n=bookworm-security\\nPin-Priority: 1001\\n" > /etc/apt/preferences.d/containerd')

    const refused = await upgrade([machine])
    expect(refused.code).to.equal(1)
    expect(refused.json.hosts[0].error!.message).to.contain(`would downgrade containerd ${NEW} -> ${OLD}`)
    expect(refused.json.hosts[0].error!.hint).to.contain('--allow-downgrade')
    expect(await containerd(machine)).to.equal(NEW)

    const planned = await upgrade([machine], '--allow-downgrade', '--dry-run')
    expect(planned.code, planned.stderr).to.equal(0)
    expect(planned.json.hosts[0].result!.packages.find((item) => item.name === 'containerd')).to.include({from: NEW, to: OLD, change: 'downgrade'})
    expect(await containerd(machine)).to.equal(NEW)
  })

  it('upgrades three hosts one after another with --serial 1', async () => {
    const three = await machines(3)
    const {code, stderr, json} = await upgrade(three, '--serial', '1')
    expect(code, stderr).to.equal(0)
    expect(json.summary).to.include({upgraded: 3, failed: 0, skipped: 0})
    const windows = json.hosts.map((host) => [Date.parse(host.startedAt!), Date.parse(host.finishedAt!)])
    for (let index = 1; index < windows.length; index++) expect(windows[index][0], `host ${index} started before host ${index - 1} finished`).to.be.at.least(windows[index - 1][1])
    for (const machine of three) {
      expect(await containerd(machine)).to.equal(NEW)
      expect(await engineAnswers(machine)).to.equal(true)
    }
  })

  it('stops the roll at --max-fail 1 when a host fails its health check, leaving it on a running engine', async () => {
    const [broken, second, third] = await machines(3)
    // On the first host, the engine refuses to start with the new containerd.
    const gate = [
      '#!/bin/sh',
      "v=$(dpkg-query -W -f '${Version}' containerd)",
      `if dpkg --compare-versions "$v" ge '${NEW}'; then echo "tk-test-gate: containerd $v breaks this engine" >&2; exit 1; fi`,
    ].join('\n')
    const written = await broken.ssh('admin', 'sudo -n sh -c "cat > /usr/local/sbin/tk-test-gate && chmod 755 /usr/local/sbin/tk-test-gate"', {input: `${gate}\n`})
    expect(written.code, written.stderr).to.equal(0)
    await root(broken, 'mkdir -p /etc/systemd/system/docker.service.d && printf "[Service]\\nExecStartPre=/usr/local/sbin/tk-test-gate\\n" > /etc/systemd/system/docker.service.d/tk-test-gate.conf && systemctl daemon-reload')

    const {code, json} = await upgrade([broken, second, third], '--max-fail', '1', '--health-timeout', '30')
    expect(code).to.equal(1)
    expect(json.hosts.map((host) => host.status)).to.deep.equal(['failed', 'skipped', 'skipped'])
    expect(json.summary).to.include({failed: 1, skipped: 2})
    const {error} = json.hosts[0]
    expect(error!.message).to.contain('did not answer docker info')
    expect(error!.journal!.join('\n')).to.contain('tk-test-gate: containerd')
    expect(error).to.include({rolledBack: true, engineRunning: true})

    // The failed host runs its engine again, on the previous containerd; the later hosts were never touched.
    expect(await containerd(broken)).to.equal(OLD)
    expect(await engineAnswers(broken)).to.equal(true)
    expect(await containerd(second)).to.equal(OLD)
    expect(await containerd(third)).to.equal(OLD)
  })
})
