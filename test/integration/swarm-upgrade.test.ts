/**
 * Engine restarts that keep a swarm's services up, on real sandbox machines:
 * three bookworm nodes (one manager, two workers) from one snapshot where
 * containerd was moved back to the security suite's older build, so that
 * tk upgrade has a package to move and restarts each engine. A global
 * service publishes port 8080 in host mode on every node (this kernel has
 * no IPVS: no routing mesh). A probe on the workstation reaches each node's
 * port through an SSH forward on 127.0.0.1 and tries the nodes in turn every
 * 200 ms, counting a failure only when no node answers (bounded, stops by
 * itself): zero failures while tk upgrade rolls the engines and while tk up
 * applies a daemon option (a restart). Then, with three managers and one of
 * them down, an upgrade of another manager is refused with one line.
 */
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, sandboxFleetYaml, target} from '../support/tk-hosts.js'

const OLD = '1.6.20~ds1-1+deb12u2'
const NEW = '1.6.20~ds1-1+deb12u3'
const APPLETS = ['sh', 'true', 'mkdir', 'hostname', 'httpd']

/** A free port on 127.0.0.1, for a forward. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })

/** One GET of 127.0.0.1:port within 1 s: whether it answered 200. */
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = request({host: '127.0.0.1', port, path: '/', timeout: 1000, agent: false}, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode === 200))
      res.once('error', () => resolve(false))
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => resolve(false))
    req.end()
  })

/**
 * Tries the ports in turn every 200 ms until stopped (or 25 min, 7500 rounds
 * at most); a round fails only when no port answers.
 */
function probe(ports: number[]): {stop: () => Promise<{rounds: number; failures: number}>} {
  let stopped = false
  let rounds = 0
  let failures = 0
  const done = (async () => {
    const until = Date.now() + 25 * 60_000
    while (!stopped && rounds < 7500 && Date.now() < until) {
      const started = Date.now()
      let ok = false
      for (const port of ports) {
        // eslint-disable-next-line no-await-in-loop -- in turn: the next node only when this one did not answer
        if (await answers(port)) {
          ok = true
          break
        }
      }
      rounds++
      if (!ok) failures++
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 200 - (Date.now() - started))))
    }
  })()
  return {
    async stop() {
      stopped = true
      await done
      return {rounds, failures}
    },
  }
}

interface UpgradeJson {
  hosts: Array<{target: string; status: string; result?: {changed: number; restarted: boolean}; error?: {message: string}}>
}

describe('tk upgrade and tk up on a swarm: services stay up', function () {
  this.timeout(40 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: TestMachine[]
  const forwards: ChildProcess[] = []
  let ports: number[] = []
  const names = ['m1', 'w1', 'w2']
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${quote(command)}`, {timeoutMs: 10 * 60_000})
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}${result.stdout}`)
    return result.stdout.trim()
  }
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts}})
  const writeConfig = (managers: string[], daemon: string[] = []) => {
    const workers = names.filter((name) => !managers.includes(name))
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(
        fixture,
        names.map((name, index) => ({name, machine: machines[index], groups: ['swarm']})),
        ['engine:', '  users: [admin]', '  compose: false', ...daemon, 'swarm:', `  managers: [${managers.join(', ')}]`, ...(workers.length > 0 ? [`  workers: [${workers.join(', ')}]`] : [])],
      ),
    )
  }
  /** Polls `command` on the manager until `check` holds (at most 120 tries, 1 s apart). */
  const until = async (machine: TestMachine, command: string, check: (stdout: string) => boolean) => {
    let last = ''
    for (let attempt = 0; attempt < 120; attempt++) {
      // eslint-disable-next-line no-await-in-loop
      last = (await machine.ssh('admin', command)).stdout
      if (check(last)) return last
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    throw new Error(`${command}: still ${last}`)
  }

  before(async function () {
    this.timeout(40 * 60_000)
    fixture = await sandboxFixture({releases: ['bookworm']})
    const snapshot = await fixture.preparedSnapshot('upgrade-bookworm', 'bookworm', async (machine) => {
      const provisioned = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
      if (provisioned.code !== 0) throw new Error(`provision failed: ${provisioned.stderr}${provisioned.stdout}`)
      await root(machine, 'echo "deb http://deb.debian.org/debian-security bookworm-security main" > /etc/apt/sources.list.d/security.list && apt-get -q update')
      await root(machine, `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades containerd=${OLD} && systemctl restart containerd docker && docker info >/dev/null`)
    })
    machines = await Promise.all(names.map(() => fixture.machine({snapshot, keep: true})))
    dir = mkdtempSync(join(tmpdir(), 'tk-swarm-upgrade-'))
    writeConfig(['m1'])
    const formed = await tk(['up', '--json'])
    expect(formed.code, formed.stderr + formed.stdout).to.equal(0)
    const image = busyboxImageTar(APPLETS)
    await Promise.all(
      machines.map(async (machine) => {
        const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {env: cleanEnv, input: image})
        expect(imported.code, imported.stderr).to.equal(0)
      }),
    )
    await root(
      machines[0],
      `docker service create -d --name web --mode global --publish mode=host,published=8080,target=8080 --no-resolve-image tk-busybox sh -c 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'`,
    )
    await until(machines[0], 'docker service ps web --filter desired-state=running --format "{{.CurrentState}}"', (out) => out.split('\n').filter((line) => line.startsWith('Running')).length === 3)
    // The workstation reaches each node's published port through an SSH forward to the node's own 127.0.0.1:8080.
    ports = await Promise.all(machines.map(() => freePort()))
    for (const [index, machine] of machines.entries()) {
      const args = machine.sshArgs('admin')
      forwards.push(spawn('ssh', [...args.slice(0, -1), '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${ports[index]}:127.0.0.1:8080`, args.at(-1)!], {stdio: 'ignore'}))
    }
    for (const port of ports) {
      let ok = false
      for (let attempt = 0; attempt < 60 && !ok; attempt++) {
        // eslint-disable-next-line no-await-in-loop
        ok = await answers(port)
        // eslint-disable-next-line no-await-in-loop
        if (!ok) await new Promise((resolve) => setTimeout(resolve, 500))
      }
      expect(ok, `port ${port}`).to.equal(true)
    }
  })

  after(() => {
    for (const forward of forwards) forward.kill()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('tk upgrade rolls containerd and the engine across the nodes, workers first, each drained and back: no probe round without an answer', async () => {
    const running = probe(ports)
    const run = await tk(['upgrade', '@swarm', '--json'])
    const {rounds, failures} = await running.stop()
    if (process.env.TK_TEST_TIMINGS) process.stderr.write(`probe: ${rounds} rounds, ${failures} without an answer\n`)
    expect(run.code, run.stderr).to.equal(0)
    const json = JSON.parse(run.stdout) as UpgradeJson
    expect(json.hosts.map((host) => host.target)).to.deep.equal(['w1', 'w2', 'm1'])
    for (const host of json.hosts) expect(host.result, host.target).to.include({restarted: true})
    // Which node drains and through which manager; while tasks are still moving, how many and how long
    // (a drain that is over by the first look says only that it drained, and in how long).
    expect(run.stderr).to.match(/^w1: swarm: draining through m1$/m)
    for (const line of run.stderr.split('\n').filter((text) => text.startsWith('w1: swarm: draining,'))) expect(line).to.match(/^w1: swarm: draining, \d+ task\(s\) still moving, \d+s$/)
    expect(run.stderr).to.match(/^w1: swarm: drained in \d+s/m)
    expect(run.stderr).to.match(/^m1: swarm: back in \d+s, its global tasks run$/m)
    for (const machine of machines) expect(await root(machine, "dpkg-query -W -f '${Version}' containerd")).to.equal(NEW) // eslint-disable-line no-await-in-loop
    // Every node active and ready. Right after the manager's own restart it may not yet have heard from
    // a worker (Unknown, seen once in a full CI run); tk waits for the node it restarted, and the others
    // are seen ready within a few heartbeats (bounded: 120 s).
    await until(machines[0], 'docker node ls --format "{{.Availability}} {{.Status}}"', (out) => out.split('\n').filter((line) => line === 'Active Ready').length === 3)
    expect(rounds).to.be.greaterThan(20)
    expect(failures, `${failures} of ${rounds} rounds without an answer`).to.equal(0)
  })

  it('tk up applies a daemon option (an engine restart on each node) with the nodes drained one at a time: no probe round without an answer', async () => {
    writeConfig(['m1'], ['  daemon:', '    max-concurrent-downloads: 4'])
    const running = probe(ports)
    const run = await tk(['up', '--serial', '3'])
    const {rounds, failures} = await running.stop()
    if (process.env.TK_TEST_TIMINGS) process.stderr.write(`probe: ${rounds} rounds, ${failures} without an answer\n`)
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    // All three converge at once (--serial 3), but the restarts go one node at a time: each drained and back before the next, the manager last.
    const turns = run.stdout.split('\n').flatMap((line) => {
      const match = /^(\w+): swarm: (draining through|back in)/.exec(line)
      return match ? [`${match[1]} ${match[2] === 'back in' ? 'back' : 'drain'}`] : []
    })
    expect(turns.slice(0, 4)).to.have.members(['w1 drain', 'w1 back', 'w2 drain', 'w2 back'])
    expect(turns[0].split(' ')[0]).to.equal(turns[1].split(' ')[0])
    expect(turns.slice(4)).to.deep.equal(['m1 drain', 'm1 back'])
    for (const machine of machines) expect(JSON.parse(await root(machine, 'cat /etc/docker/daemon.json'))).to.include({'max-concurrent-downloads': 4}) // eslint-disable-line no-await-in-loop
    expect(rounds).to.be.greaterThan(20)
    expect(failures, `${failures} of ${rounds} rounds without an answer`).to.equal(0)
  })

  it('with three managers and one down, an upgrade that would take quorum away is refused with one line, nothing changed', async () => {
    writeConfig(names, ['  daemon:', '    max-concurrent-downloads: 4'])
    const promoted = await tk(['up', '--json'])
    expect(promoted.code, promoted.stderr + promoted.stdout).to.equal(0)
    await root(machines[2], 'systemctl stop docker.socket docker')
    try {
      await until(machines[0], 'docker node ls --format "{{.ManagerStatus}}"', (out) => out.includes('Unreachable'))
      const before = await root(machines[0], "dpkg-query -W -f '${Version}' containerd; systemctl show -p MainPID --value docker")
      const run = await tk(['upgrade', 'm1', 'w1'])
      expect(run.code).to.not.equal(0)
      const lines = run.stderr.split('\n').filter((line) => line.includes('quorum'))
      expect(lines, run.stderr).to.have.length(1)
      expect(lines[0]).to.match(/refused, nothing was changed: m1: restarting its engine would leave 1 of the 3 managers reachable, not a majority: the swarm would lose quorum \(unreachable now: \S+\)/)
      expect(run.stderr).not.to.match(/\n\s+at /)
      expect(await root(machines[0], "dpkg-query -W -f '${Version}' containerd; systemctl show -p MainPID --value docker")).to.equal(before)
    } finally {
      await root(machines[2], 'systemctl start docker')
    }
  })
})
