/**
 * A rolling `tk up` on three sandbox machines that share one tk.yml: engine
 * restarts one host at a time (--serial 1, observed from each host's journal),
 * and a container that never becomes healthy rolled back with the next host
 * left untouched. The machines come from the provisioned snapshot and are
 * kept for the whole file.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFleetYaml} from '../support/tk-hosts.js'

interface UpJson {
  hosts: Array<{target: string; ok: boolean; skipped?: boolean; reason?: string; error?: {message: string}; result?: {changed: number; steps: Array<{id: string; result: string; detail: string}>}}>
  summary: {succeeded: number; failed: number; skipped: number; changed: number}
}

describe('tk up, rolling: --serial and container health on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: TestMachine[]
  const names = ['web-1', 'web-2', 'web-3']
  const tk = (args: string[], env: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, ...env}})
  const up = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const run = await tk(['up', '--json', ...args], env)
    let json: UpJson
    try {
      json = JSON.parse(run.stdout) as UpJson
    } catch {
      throw new Error(`tk up exited ${run.code} without JSON: ${run.stderr}${run.stdout}`)
    }
    return {...run, json}
  }
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout.trim()
  }
  // compose: false: the snapshot's engine came without the Compose package, and installing it on three
  // machines would cost minutes that test nothing here.
  const writeConfig = (sections: string[], groups?: string[]) => {
    const engine = sections.indexOf('engine:')
    const withEngine = engine === -1 ? ['engine:', '  compose: false', ...sections] : [...sections.slice(0, engine + 1), '  compose: false', ...sections.slice(engine + 1)]
    writeFileSync(join(dir, 'tk.yml'), sandboxFleetYaml(fixture, machines.map((machine, index) => ({name: names[index], machine, ...(groups ? {groups} : {})})), withEngine))
  }

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-up-rolling-'))
    const snapshot = await provisionedSnapshot(fixture)
    const image = busyboxImageTar()
    machines = await Promise.all(names.map(() => engineMachine(fixture, snapshot, image, {keep: true})))
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  /** Each host's engine restarts since `since` (unix seconds): [stopping, started] in unix seconds, from its journal. */
  const restartWindows = async (since: number) =>
    Promise.all(
      machines.map(async (machine) => {
        const lines = await root(machine, `journalctl --no-pager -u docker.service -o short-unix --since @${since} | grep -E 'Stopping docker.service|Started docker.service' || true`)
        const windows: Array<[number, number]> = []
        let stopping: number | undefined
        for (const line of lines.split('\n').filter(Boolean)) {
          const at = Number(line.split(' ')[0])
          if (line.includes('Stopping')) stopping = at
          else if (stopping !== undefined) {
            windows.push([stopping, at])
            stopping = undefined
          }
        }
        return {host: machine.name, windows}
      }),
    )

  it('--serial 1 restarts one engine at a time: no two hosts\' restart windows overlap', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    writeConfig(['engine:', '  daemon:', '    labels: ["tk-rolling=1"]'])
    const run = await up(['--serial', '1'])
    expect(run.code, run.stderr).to.equal(0)
    // Where the time goes (the suite's budget): each host's slowest steps.
    for (const host of run.json.hosts) console.log(`      ${host.target}: ${(host.result?.steps ?? []).map((step) => `${step.id} ${(step as {durationMs?: number}).durationMs} ms`).join(', ')}`)
    expect(run.json.summary).to.include({succeeded: 3, failed: 0})
    const restarts = await restartWindows(since)
    for (const each of restarts) expect(each.windows, `${each.host} restarted its engine once`).to.have.length(1)
    const windows = restarts.map((each) => each.windows[0]).sort((a, b) => a[0] - b[0])
    for (let index = 1; index < windows.length; index++) {
      expect(windows[index][0], `restart ${index + 1} began after restart ${index} ended: ${JSON.stringify(windows)}`).to.be.at.least(windows[index - 1][1])
    }
  })

  it('serial: 1 on a group in tk.yml rolls the same way', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    writeConfig(['groups:', '  web:', '    serial: 1', 'engine:', '  daemon:', '    labels: ["tk-rolling=2"]'], ['web'])
    const run = await up()
    expect(run.code, run.stderr).to.equal(0)
    const windows = (await restartWindows(since)).map((each) => each.windows[0]).sort((a, b) => a[0] - b[0])
    expect(windows.every(Boolean)).to.equal(true)
    for (let index = 1; index < windows.length; index++) expect(windows[index][0]).to.be.at.least(windows[index - 1][1])
  })

  describe('a container with a health check', () => {
    const app = (test: string) => [
      'provisioners:',
      '  - name: app',
      '    type: docker',
      '    image: tk-busybox',
      '    container:',
      '      name: app',
      // Stops at once on SIGTERM, so a recreation does not wait docker stop's 10 s.
      `      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]`,
      '      healthcheck:',
      `        test: ${JSON.stringify(test)}`,
      '        interval: 1',
      '        retries: 2',
      '        wait: 20',
    ]
    const appId = (machine: TestMachine) => root(machine, "docker inspect --format '{{.Id}} {{.State.Running}}' app")

    it('counts a container converged only once healthy', async () => {
      writeConfig(app('true'))
      const run = await up(['--serial', '1'])
      expect(run.code, run.stderr + run.stdout).to.equal(0)
      for (const machine of machines) expect(await root(machine, "docker inspect --format '{{.State.Health.Status}}' app")).to.equal('healthy')
    })

    it('rolls back a container that never becomes healthy, with its last health checks in the report, and leaves the next hosts untouched', async () => {
      const before = await Promise.all(machines.map((machine) => appId(machine)))
      writeConfig(app('echo not ready yet; exit 1'))
      const run = await up(['--serial', '1'])
      expect(run.code).to.equal(1)
      const [first, ...rest] = run.json.hosts
      expect(first.ok).to.equal(false)
      expect(first.error?.message, JSON.stringify(first.error?.message)).to.match(
        /^web-1: docker provisioner app: the health wait failed: the new container was not healthy: its health check failed; its last health checks: exit 1: "not ready yet\\n"; .*\(the new container was not healthy; the previous app is back, running\)$/,
      )
      for (const host of rest) expect(host).to.include({skipped: true, reason: 'not started: 1 host failed (--max-fail 1)'})
      // web-1 has its previous container back, running; web-2 and web-3 were not touched.
      expect(await Promise.all(machines.map((machine) => appId(machine)))).to.deep.equal(before)
      expect(await root(machines[0], "docker ps -a --format '{{.Names}}' | grep -c tk-previous || true")).to.equal('0')
    })
  })

  describe('a pull from a registry that requires a password', () => {
    // A stand-in registry on a fourth sandbox machine: Debian's docker-registry with htpasswd logins,
    // served as an insecure (plain HTTP) registry, set on the engines with the daemon option
    // insecure-registries: no test CA to make and install, and the password crosses only the run's
    // own network. (A real registry has TLS; the credentials travel the same way either way.)
    const PASSWORD = 'tk-reg-pass-7c2e91'
    let registry: TestMachine
    let reference: string

    before(async () => {
      registry = await fixture.machine({release: 'bookworm', keep: true})
      reference = `${registry.name}:5000/tk-test/private:1`
      await root(registry, 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry apache2-utils >/dev/null')
      const htpasswd = await registry.ssh('admin', 'sudo -n htpasswd -B -i -c /etc/docker/registry/htpasswd fleet 2>&1', {input: PASSWORD})
      expect(htpasswd.code, htpasswd.stdout).to.equal(0)
      const config = ['version: 0.1', 'storage:', '  filesystem:', '    rootdirectory: /var/lib/docker-registry', 'http:', '  addr: :5000', 'auth:', '  htpasswd:', '    realm: tk-test', '    path: /etc/docker/registry/htpasswd', ''].join('\\n')
      await root(registry, `printf '${config}' > /etc/docker/registry/config.yml && systemctl restart docker-registry`)
      await root(registry, "timeout 60 sh -c 'until ss -ltn | grep -q :5000; do sleep 1; done'")
      // web-3 pushes a tiny image (made here, from busybox) with its own docker login, then logs out.
      writeConfig(['engine:', '  daemon:', `    insecure-registries: ["${registry.name}:5000"]`], undefined)
      const set = await up(['--serial', '1'])
      expect(set.code, set.stderr).to.equal(0)
      const login = await machines[2].ssh('admin', `sudo -n docker login -u fleet --password-stdin ${registry.name}:5000 >/dev/null 2>&1 && sudo -n docker tag tk-busybox ${reference} && sudo -n docker push ${reference} >/dev/null; r=$?; sudo -n docker logout ${registry.name}:5000 >/dev/null; exit $r`, {input: PASSWORD})
      expect(login.code, login.stderr + login.stdout).to.equal(0)
    })

    it('pulls with credentials from ${ENV} through the engine API: the password in no output, --json, argv or file on the host', async () => {
      const puller = machines[0]
      const sections = [
        'engine:',
        '  daemon:',
        `    insecure-registries: ["${registry.name}:5000"]`,
        'registries:',
        `  - server: ${registry.name}:5000`,
        '    username: fleet',
        '    password: ${TK_TEST_REGISTRY_PASSWORD}',
        'provisioners:',
        '  - name: private',
        '    type: docker',
        `    image: ${reference}`,
        '    run: always',
        '    hosts: [web-1]',
      ]
      writeConfig(sections)
      // Without credentials the registry refuses the pull: the stand-in asks for a password indeed.
      const anonymous = await puller.ssh('admin', `docker pull ${reference} 2>&1`)
      expect(anonymous.code).not.to.equal(0)
      expect(anonymous.stdout).to.match(/no basic auth credentials|unauthorized/)

      // Every command line on the host, sampled while tk up runs.
      await root(puller, "nohup sh -c 'for i in $(seq 1 300); do ps -eo args; sleep 0.1; done' > /run/tk-test-ps.log 2>&1 & echo $! > /run/tk-test-ps.pid")
      const run = await up(['web-1'], {TK_TEST_REGISTRY_PASSWORD: PASSWORD})
      expect(run.code, run.stderr + run.stdout).to.equal(0)
      const step = run.json.hosts[0].result?.steps.find((each) => each.id === 'private')
      expect(step?.result).to.equal('changed')
      expect(await root(puller, `docker image inspect --format '{{.Id}}' ${reference}`)).to.match(/^sha256:/)
      const human = await tk(['up', 'web-1'], {TK_TEST_REGISTRY_PASSWORD: PASSWORD})
      expect(human.code, human.stderr).to.equal(0)
      await root(puller, 'kill $(cat /run/tk-test-ps.pid) 2>/dev/null || true')

      for (const text of [run.stdout, run.stderr, human.stdout, human.stderr]) expect(text).not.to.contain(PASSWORD)
      // Written split in two, or this very command line would hold it (and sudo's log of it).
      const pattern = `'${PASSWORD.slice(0, 6)}''${PASSWORD.slice(6)}'`
      expect(await root(puller, `grep -c -- ${pattern} /run/tk-test-ps.log || true`)).to.equal('0')
      expect(await root(puller, `grep -rl -- ${pattern} /root /home /etc /var/lib/tk /tmp /var/tmp 2>/dev/null | wc -l`)).to.equal('0')
      expect(await root(puller, `journalctl --no-pager -o cat | grep -c -- ${pattern} || true`)).to.equal('0')
      expect(await root(puller, 'ls /root/.docker/config.json 2>/dev/null | wc -l')).to.equal('0')

      // A wrong password: one line naming the host and provisioner, the engine's reason, still no password.
      const wrong = await up(['web-1'], {TK_TEST_REGISTRY_PASSWORD: `${PASSWORD}-wrong`})
      expect(wrong.code).to.equal(1)
      expect(wrong.json.hosts[0].error?.message).to.match(/^web-1: docker provisioner private: docker pull failed: .*(unauthorized|authentication required)/)
      expect(wrong.stdout + wrong.stderr).not.to.contain(PASSWORD)
    })
  })
})
