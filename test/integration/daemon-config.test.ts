/**
 * tk provision --daemon-opt / --daemon-config on real sandbox machines: given a
 * provisioned host, a valid change is applied with one restart, an invalid one
 * is refused before anything changes, one the engine cannot start with is
 * rolled back, and the data guards hold. Bookworm's engine (20.10) has no
 * dockerd --validate; trixie's (26.1) has it.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, sandboxFleetYaml, target} from '../support/tk-hosts.js'

interface StepJson {
  id: string
  result: string
  detail: string
  diff?: string[]
  journal?: string[]
}
interface HostJson {
  target: string
  ok: boolean
  result?: {changed: number; steps: StepJson[]; notices: string[]}
  error?: {message: string; exitCode: number}
  steps?: StepJson[]
}

describe('tk provision: engine daemon configuration on sandbox machines', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let bookworm: string
  let trixie: string

  const provision = async (machine: TestMachine, ...extra: string[]) => {
    const run = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--json', ...extra], {env: cleanEnv})
    const host = (JSON.parse(run.stdout).hosts as HostJson[])[0]
    const steps = Object.fromEntries((host.result?.steps ?? host.steps ?? []).map((step) => [step.id, step]))
    return {...run, host, steps}
  }
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout
  }
  /** The daemon's process and start time, and how often it finished starting since boot. */
  const daemon = async (machine: TestMachine) => {
    const text = await root(
      machine,
      "systemctl show -p MainPID --value docker; systemctl show -p ActiveEnterTimestampMonotonic --value docker; journalctl -u docker -o cat --no-pager | grep -c 'Daemon has completed initialization' || true",
    )
    const [pid, startedAt, starts] = text.trim().split('\n')
    return {pid: Number(pid), startedAt, starts: Number(starts)}
  }
  /** A machine from a snapshot, once its engine answers (it starts with the machine). */
  const machineFrom = async (snapshot: string) => {
    const machine = await fixture.machine({snapshot})
    await root(machine, "timeout 90 sh -c 'until systemctl is-active --quiet docker && docker info >/dev/null 2>&1; do sleep 1; done'")
    return machine
  }
  const daemonJson = (machine: TestMachine) => root(machine, 'cat /etc/docker/daemon.json 2>/dev/null || echo absent')
  const backups = async (machine: TestMachine) => (await root(machine, 'ls /etc/docker')).split('\n').filter((name) => name.startsWith('daemon.json.tk-backup-'))

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm', 'trixie']})
    const prepare = async (machine: TestMachine) => {
      const {code, stderr} = await runTk(['provision', target(machine), ...sandboxFlags(fixture)], {env: cleanEnv})
      if (code !== 0) throw new Error(`provisioning ${machine.name} failed: ${stderr}`)
    }
    ;[bookworm, trixie] = await Promise.all([
      fixture.preparedSnapshot('daemon-config-bookworm', 'bookworm', prepare),
      fixture.preparedSnapshot('daemon-config-trixie', 'trixie', prepare),
    ])
  })

  it('shows the diff with --dry-run, applies a valid change with exactly one restart keeping the other keys, and changes nothing when run again', async () => {
    const machine = await machineFrom(bookworm)
    await root(machine, `printf '{"log-level": "info"}\\n' > /etc/docker/daemon.json`)
    const options = ['--daemon-opt', 'log-opts.max-size=10m', '--daemon-opt', 'log-opts.max-file=3', '--daemon-opt', 'live-restore=true']
    const start = await daemon(machine)

    const planned = await provision(machine, ...options, '--dry-run')
    expect(planned.code, planned.stderr).to.equal(0)
    expect(planned.steps['daemon-config']).to.include({result: 'would-change', detail: 'set log-opts.max-size, log-opts.max-file, live-restore; restart the engine'})
    expect(planned.steps['daemon-config'].diff).to.deep.equal([
      '  {',
      '-   "log-level": "info"',
      '+   "log-level": "info",',
      '+   "log-opts": {',
      '+     "max-size": "10m",',
      '+     "max-file": "3"',
      '+   },',
      '+   "live-restore": true',
      '  }',
    ])
    expect(await daemon(machine)).to.deep.equal(start)

    const applied = await provision(machine, ...options)
    expect(applied.code, applied.stderr + applied.stdout).to.equal(0)
    expect(applied.steps['daemon-config'].result).to.equal('changed')
    expect(JSON.parse(await daemonJson(machine))).to.deep.equal({'log-level': 'info', 'log-opts': {'max-size': '10m', 'max-file': '3'}, 'live-restore': true})
    const [backup] = await backups(machine)
    expect(JSON.parse(await root(machine, `cat /etc/docker/${backup}`))).to.deep.equal({'log-level': 'info'})
    const after = await daemon(machine)
    expect(after.pid).to.not.equal(start.pid)
    expect(after.startedAt).to.not.equal(start.startedAt)
    expect(after.starts).to.equal(start.starts + 1)
    expect((await root(machine, 'docker info --format "{{.LiveRestoreEnabled}}"')).trim()).to.equal('true')

    const again = await provision(machine, ...options)
    expect(again.code).to.equal(0)
    expect(again.steps['daemon-config']).to.include({result: 'ok', detail: '/etc/docker/daemon.json holds the options already'})
    expect(again.host.result?.changed).to.equal(0)
    expect(await daemon(machine)).to.deep.equal(after)
    expect(await backups(machine)).to.have.length(1)
  })

  for (const release of ['bookworm', 'trixie'] as const) {
    it(`refuses an unknown key, a wrong type and a hosts key against the unit's -H fd:// before any restart, on ${release}`, async () => {
      const machine = await machineFrom(release === 'bookworm' ? bookworm : trixie)
      const canValidate = (await root(machine, 'dockerd --help 2>/dev/null | grep -c -e --validate || true')).trim() !== '0'
      expect(canValidate, 'dockerd --validate').to.equal(release === 'trixie')
      const start = await daemon(machine)
      const cases: Array<[string[], RegExp]> = [
        [['--daemon-opt', 'log-opt.max-size=10m'], /log-opt: not a daemon\.json option \(did you mean log-opts\?\)/],
        [['--daemon-opt', 'live-restore=yes'], /live-restore: expected true or false, got a string "yes"/],
        [['--daemon-opt', 'hosts=["unix:///var/run/docker.sock"]'], /hosts: also set on the engine's command line \(-H fd:\/\/\)/],
      ]
      for (const [options, reason] of cases) {
        // eslint-disable-next-line no-await-in-loop -- one host, one run at a time
        const refused = await provision(machine, ...options)
        expect(refused.code, refused.stdout).to.equal(4)
        expect(refused.host.error?.message).to.match(reason)
        expect(refused.host.error?.message).to.include('nothing written, engine not restarted')
      }
      expect(await daemon(machine)).to.deep.equal(start)
      expect((await daemonJson(machine)).trim()).to.equal('absent')
      expect(await backups(machine)).to.deep.equal([])
    })
  }

  it('on trixie, refuses what dockerd --validate rejects (a value inside an object tk does not type) before writing', async () => {
    const machine = await machineFrom(trixie)
    const start = await daemon(machine)
    const refused = await provision(machine, '--daemon-opt', 'default-ulimits={"nofile":{"Name":"nofile","Hard":"many","Soft":1024}}')
    expect(refused.code, refused.stdout).to.equal(4)
    expect(refused.host.error?.message).to.match(/refused by dockerd --validate, nothing written, engine not restarted: .*cannot unmarshal string .*Hard/)
    expect(await daemon(machine)).to.deep.equal(start)
    expect((await daemonJson(machine)).trim()).to.equal('absent')
  })

  it('rolls back an option the engine cannot start with: previous file back, engine answering, journal shown', async () => {
    const machine = await machineFrom(bookworm)
    await root(machine, `printf '{"debug": false}\\n' > /etc/docker/daemon.json`)
    const before = await daemonJson(machine)
    // Passes every check (a known key, a string), but /var/lib/docker is ext4: dockerd exits at start.
    const failed = await provision(machine, '--daemon-opt', 'storage-driver=btrfs')
    expect(failed.code, failed.stdout).to.equal(1)
    expect(failed.host.error?.message).to.match(/the engine did not start with the new \/etc\/docker\/daemon\.json \(dockerd: failed to start daemon: error initializing graphdriver/)
    expect(failed.host.error?.message).to.match(/put the previous file back .*answers again/)
    expect(failed.steps['daemon-config'].result).to.equal('failed')
    expect(failed.steps['daemon-config'].journal?.join('\n')).to.match(/failed to start daemon/)
    expect(await daemonJson(machine)).to.equal(before)
    expect((await root(machine, 'systemctl is-active docker; docker info --format "{{.Driver}}"')).trim().split('\n')).to.deep.equal(['active', 'overlay2'])

    // The human output shows the journal under the step.
    const human = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--daemon-opt', 'storage-driver=btrfs'], {env: cleanEnv})
    expect(human.code).to.equal(1)
    expect(human.stdout).to.match(/FAILED\s+daemon-config/)
    expect(human.stdout).to.match(/\| .*failed to start daemon: error initializing graphdriver/)
    expect(await daemonJson(machine)).to.equal(before)
  })

  it('finishes the rollback on the host when tk is killed right after writing the file', async () => {
    const machine = await machineFrom(bookworm)
    await root(machine, `printf '{"debug": false}\\n' > /etc/docker/daemon.json`)
    const before = await daemonJson(machine)
    const child = spawn(process.execPath, [TK_BIN, 'provision', target(machine), ...sandboxFlags(fixture), '--daemon-opt', 'storage-driver=btrfs'], {
      env: {...process.env, ...cleanEnv},
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      // The backup appears once the new file is in place: tk dies then, with its connection.
      let written = false
      for (let attempt = 0; attempt < 300 && !written; attempt++) {
        written = (await machine.ssh('admin', 'ls /etc/docker | grep -c tk-backup || true')).stdout.trim() !== '0'
        if (!written) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(written, 'tk wrote the new file').to.equal(true)
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    // With nobody connected any more, the host puts the previous file back and starts the engine on it.
    let state = ''
    for (let attempt = 0; attempt < 120; attempt++) {
      state = (await machine.ssh('admin', 'sudo -n cat /etc/docker/daemon.json; systemctl is-active docker')).stdout
      if (state === `${before}active\n`) break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(state).to.equal(`${before}active\n`)
    expect((await root(machine, 'docker info --format "{{.Driver}}"')).trim()).to.equal('overlay2')
  })

  it('refuses a storage-driver change where an image is present, and applies it with --force', async () => {
    const machine = await machineFrom(bookworm)
    const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {
      env: cleanEnv,
      input: busyboxImageTar(),
    })
    expect(imported.code, imported.stderr).to.equal(0)
    const start = await daemon(machine)

    const refused = await provision(machine, '--daemon-opt', 'storage-driver=vfs')
    expect(refused.code).to.equal(4)
    expect(refused.host.error?.message).to.match(/changing storage-driver \(overlay2 -> vfs\) hides the 1 image\(s\) and 0 container\(s\)/)
    expect(await daemon(machine)).to.deep.equal(start)
    expect((await daemonJson(machine)).trim()).to.equal('absent')

    const forced = await provision(machine, '--daemon-opt', 'storage-driver=vfs', '--force')
    expect(forced.code, forced.stdout).to.equal(0)
    expect(forced.steps['daemon-config'].result).to.equal('changed')
    expect((await root(machine, 'docker info --format "{{.Driver}} {{.Images}}"')).trim()).to.equal('vfs 0')
    expect((await daemon(machine)).starts).to.equal(start.starts + 1)
  })

  it('writes without restarting with --no-restart, and says a restart would stop running containers', async () => {
    const machine = await machineFrom(bookworm)
    const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["sleep","600"]' - tk-busybox && docker run -d tk-busybox`], {
      env: cleanEnv,
      input: busyboxImageTar(),
    })
    expect(imported.code, imported.stderr).to.equal(0)
    const start = await daemon(machine)
    const planned = await provision(machine, '--daemon-opt', 'max-concurrent-downloads=6', '--dry-run')
    expect(planned.steps['daemon-config'].detail).to.equal('set max-concurrent-downloads; restart the engine (stops 1 running container(s))')
    expect(planned.host.result?.notices.join('\n')).to.match(/restarting the engine stops its 1 running container\(s\): live-restore is off/)

    const written = await provision(machine, '--daemon-opt', 'max-concurrent-downloads=6', '--no-restart')
    expect(written.code, written.stdout).to.equal(0)
    expect(written.steps['daemon-config'].detail).to.match(/^written \(there was no file before\); not restarted/)
    expect(JSON.parse(await daemonJson(machine))).to.deep.equal({'max-concurrent-downloads': 6})
    expect(await daemon(machine)).to.deep.equal(start)
    expect((await root(machine, 'docker ps -q | wc -l')).trim()).to.equal('1')
  })
  it('reads a daemon.json only root may read through sudo, keeps its keys, owner and mode; refuses when sudo cannot read it either', async () => {
    const machine = await machineFrom(bookworm)
    await root(machine, `printf '%s' '{"debug": true, "registry-mirrors": ["https://mirror.example"]}' > /etc/docker/daemon.json && chmod 0600 /etc/docker/daemon.json`)
    const merged = await provision(machine, '--daemon-opt', 'log-opts.max-size=10m', '--no-restart')
    expect(merged.code, merged.stdout + merged.stderr).to.equal(0)
    expect(JSON.parse(await daemonJson(machine))).to.deep.equal({debug: true, 'registry-mirrors': ['https://mirror.example'], 'log-opts': {'max-size': '10m'}})
    expect((await root(machine, 'stat -c %a:%U /etc/docker/daemon.json')).trim()).to.equal('600:root')

    // op's sudo asks for a password: its facts cannot read the file, and tk refuses rather than taking it for empty.
    const refused = await runTk(['provision', target(machine, 'op'), ...sandboxFlags(fixture, 'op'), '--no-login-user', '--daemon-opt', 'mtu=1400'], {env: {...cleanEnv, TK_SUDO_PASSWORD: fixture.sandbox.credentials.opPassword}})
    expect(refused.code).to.equal(4)
    expect(refused.stderr).to.match(/daemon.json exists but neither the login user nor sudo -n can read it/)
    expect(JSON.parse(await daemonJson(machine))).to.have.property('debug', true)
  })

  it('never shows a ${ENV} secret of tk.yml, nor the old value in the host\'s root-only file, and writes the file 0600', async () => {
    const machine = await machineFrom(trixie)
    await root(machine, `printf '%s' '{"proxies": {"http-proxy": "http://tk:old-proxy-secret@proxy.invalid:3128"}}' > /etc/docker/daemon.json && chmod 0644 /etc/docker/daemon.json`)
    const dir = mkdtempSync(join(tmpdir(), 'tk-daemon-secret-'))
    try {
      writeFileSync(
        join(dir, 'tk.yml'),
        sandboxFleetYaml(fixture, [{name: 'web-1', machine}], ['engine:', '  daemon:', '    proxies:', '      http-proxy: "http://tk:${PROXY_PASSWORD}@proxy.invalid:3128"']),
      )
      const env = {...cleanEnv, PROXY_PASSWORD: 'new-proxy-secret'}
      const run = (...extra: string[]) => runTk(['provision', 'web-1', '--known-hosts', fixture.sandbox.home.knownHosts, '--no-restart', ...extra], {cwd: dir, env})
      const planned = await run('--dry-run')
      const json = await run('--json')
      for (const output of [planned, json]) {
        expect(output.code, output.stderr + output.stdout).to.equal(0)
        expect(output.stdout + output.stderr).to.not.match(/proxy-secret/)
      }
      expect(planned.stdout, planned.stdout).to.contain('-     "http-proxy": "***"')
      const steps = (JSON.parse(json.stdout).hosts as HostJson[])[0].result!.steps
      expect(steps.find((step) => step.id === 'daemon-config')?.diff).to.include('+     "http-proxy": "*** (changed)"')
      expect(JSON.parse(await daemonJson(machine))).to.deep.equal({proxies: {'http-proxy': 'http://tk:new-proxy-secret@proxy.invalid:3128'}})
      // The file and the backup of the old one (which held a secret too) are root's alone.
      expect((await root(machine, 'stat -c %a:%U:%G /etc/docker/daemon.json /etc/docker/daemon.json.tk-backup-*')).trim().split('\n')).to.deep.equal(['600:root:root', '600:root:root'])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
