/**
 * The docker provisioner of `tk up` on sandbox machines with a real engine:
 * given a provisioned host, an image archive is uploaded once, a container is
 * created once and recreated only when its spec or image changes, and images
 * are pulled from a registry that runs on another sandbox machine (Debian's
 * docker-registry), reached by name on the run's network.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {DockerProvisioner} from '../../src/config/types.js'
import type {Host, RunResult} from '../../src/transport/host.js'
import {SshHost} from '../../src/transport/ssh-host.js'
import {dockerRunArguments, dockerSpecText, envFileText, runDockerProvisioner} from '../../src/up/provisioners/docker.js'
import {boundScript} from '../../src/transport/host-scripts.js'
import type {ProvisionerContext, ProvisionerRun} from '../../src/up/provisioners/types.js'
import {hostSpecHasher, sha256} from '../../src/up/spec-hash.js'
import {emptyState, type HostState} from '../../src/facts/up-state.js'
import {runTk} from '../run-tk.js'
import {imageArchive} from '../support/image-archive.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, connectTransport, sandboxFlags, target} from '../support/tk-hosts.js'

/** A host, counting the scripts run on it, the bytes sent to their stdin, and the requests to the engine's API. */
class CountingHost implements Host {
  runs = 0
  stdinBytes = 0
  requests = 0
  constructor(private readonly host: Host) {}

  readonly requestUnixSocket: Host['requestUnixSocket'] = (socketPath, request) => {
    this.requests++
    return this.host.requestUnixSocket!(socketPath, request)
  }
  get name() {
    return this.host.name
  }

  run(script: string, options: {stdin?: string | Buffer; timeoutMs?: number} = {}): Promise<RunResult> {
    this.runs++
    this.stdinBytes += options.stdin === undefined ? 0 : Buffer.byteLength(options.stdin)
    return this.host.run(script, options)
  }

  readFile(path: string) {
    return this.host.readFile(path)
  }

  stat(path: string) {
    return this.host.stat(path)
  }

  hasCommand(name: string) {
    return this.host.hasCommand(name)
  }

  close() {
    return this.host.close()
  }

  reset() {
    this.runs = 0
    this.stdinBytes = 0
    this.requests = 0
  }
}

const SECRET = 'tk-secret-4f1d9c'

describe('tk up: the docker provisioner on sandbox machines', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let snapshot: string
  let dir: string
  const layer = busyboxImageTar()
  const opened: SshHost[] = []
  /** Every line the provisioner gave back (details and error messages): none may hold a secret. */
  const said: string[] = []

  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout.trim()
  }

  /** A machine from the provisioned snapshot, once its engine answers. */
  const engineMachine = async (keep = false) => {
    const machine = await fixture.machine({snapshot, keep})
    await root(machine, "timeout 90 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'")
    return machine
  }

  /** The host as tk's transport reaches it, with the sandbox's admin key and known_hosts. */
  const connect = async (machine: TestMachine) => {
    const login = await connectTransport(fixture, machine)
    opened.push(login)
    return {login: new CountingHost(login), root: new CountingHost(login.asRoot())}
  }

  const provision = async (
    hosts: {login: CountingHost; root: CountingHost},
    provisioner: DockerProvisioner,
    options: {dryRun?: boolean; state?: HostState} = {},
  ): Promise<ProvisionerRun> => {
    // The host's spec key, read as tk up reads it once per run (not counted: the provisioner's own runs are).
    const specs = await hostSpecHasher('web1', hosts.root, {dryRun: options.dryRun ?? false})
    hosts.root.reset()
    hosts.login.reset()
    const context: ProvisionerContext = {target: 'web1', hosts, state: options.state ?? emptyState(), dryRun: options.dryRun ?? false, secrets: [SECRET], specs}
    try {
      const run = await runDockerProvisioner(provisioner, context)
      said.push(JSON.stringify(run))
      return run
    } catch (error) {
      said.push((error as Error).message)
      throw error
    }
  }

  const docker = (overrides: Partial<DockerProvisioner> = {}): DockerProvisioner => ({name: 'app', type: 'docker', run: 'always', hosts: ['web1'], image: 'tk-test/busybox:1', drift: 'check', ...overrides})
  const container = (overrides: Partial<NonNullable<DockerProvisioner['container']>> = {}): DockerProvisioner['container'] => ({
    name: 'app',
    state: 'running',
    // Stops at once on SIGTERM (a plain sleep as PID 1 ignores it, and docker stop would wait 10 s).
    command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
    ports: ['8080:80'],
    env: {TOKEN: SECRET, MODE: 'test'},
    volumes: ['/srv:/srv:ro'],
    restart: 'unless-stopped',
    ...overrides,
  })
  const containerId = (machine: TestMachine) => root(machine, "docker inspect --format '{{.Id}}' app")

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-up-docker-'))
    snapshot = await fixture.preparedSnapshot('up-docker-engine', 'bookworm', async (machine) => {
      const provisioned = await runTk(['provision', target(machine), ...sandboxFlags(fixture)], {env: cleanEnv})
      expect(provisioned.code, provisioned.stderr + provisioned.stdout).to.equal(0)
    })
  })

  after(async () => {
    await Promise.all(opened.map((host) => host.close()))
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  describe('with an image archive', () => {
    let machine: TestMachine
    let hosts: Awaited<ReturnType<typeof connect>>
    let archivePath: string
    let imageId: string

    before(async () => {
      const archive = imageArchive({layer, tags: ['tk-test/busybox:1'], cmd: ['true']})
      archivePath = join(dir, 'busybox.tar')
      writeFileSync(archivePath, archive.tar)
      imageId = archive.imageId
      machine = await engineMachine(true)
      hosts = await connect(machine)
    })

    it('loads the archive when the engine lacks its image, and never uploads it again', async () => {
      const first = await provision(hosts, docker({load: archivePath}))
      expect(first).to.include({result: 'changed', detail: 'loaded busybox.tar as tk-test/busybox:1'})
      expect(await root(machine, "docker image inspect --format '{{.Id}}' tk-test/busybox:1")).to.equal(imageId)

      const again = await provision(hosts, docker({load: archivePath}))
      expect(again).to.include({result: 'ok', specHash: first.specHash})
      expect(again.detail).to.equal(`image tk-test/busybox:1 loaded (${imageId.slice(7, 19)})`)
      // The login user is in the docker group (tk provision put it there): the engine's API answers, no command runs.
      expect(hosts.root.runs, 'no command').to.equal(0)
      expect(hosts.login.requests, 'the image, asked through the API').to.equal(1)
      expect(hosts.root.stdinBytes, 'no upload').to.equal(0)

      // run: once and drift: ignore, with the spec already in the host's state: the host is not asked at all.
      const state: HostState = {version: 1, provisioners: {app: {type: 'docker', specHash: first.specHash, appliedAt: '2026-01-01T00:00:00Z', tkVersion: '0.1.0'}}}
      const once = await provision(hosts, docker({load: archivePath, run: 'once', drift: 'ignore'}), {state})
      expect(once.result).to.equal('ok')
      expect(hosts.root.runs).to.equal(0)
      expect(hosts.login.requests).to.equal(0)

      // The reference lost its tag, the archive's image is still there: tagged again, not uploaded.
      await root(machine, 'docker tag tk-test/busybox:1 tk-test/kept && docker rmi tk-test/busybox:1 >/dev/null')
      const tagged = await provision(hosts, docker({load: archivePath}))
      expect(tagged).to.include({result: 'changed', detail: `tagged ${imageId.slice(7, 19)} as tk-test/busybox:1`})
      expect(hosts.root.stdinBytes, 'no upload').to.equal(0)
    })

    it('creates the container once; recreates it when env or a port changes; starts it when stopped; recreates it when removed by hand', async () => {
      const spec = docker({load: archivePath, container: container()})
      const created = await provision(hosts, spec)
      expect(created.result).to.equal('changed')
      expect(created.detail).to.match(/created container app$/)
      const id = await containerId(machine)
      expect(await root(machine, "docker inspect --format '{{.State.Running}} {{.Image}}' app")).to.equal(`true ${imageId}`)
      const env = await root(machine, "docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' app")
      expect(env.split('\n')).to.include.members([`TOKEN=${SECRET}`, 'MODE=test'])

      const started = performance.now()
      const same = await provision(hosts, spec)
      const elapsed = performance.now() - started
      expect(same).to.include({result: 'ok', detail: `image tk-test/busybox:1 loaded (${imageId.slice(7, 19)}); container app running`})
      expect(hosts.root.runs, 'no command').to.equal(0)
      expect(hosts.login.requests, 'the image and the container, asked through the API').to.equal(2)
      expect(await containerId(machine)).to.equal(id)
      // Two requests to the engine's API; the budget is a `tk up` re-run of 10 hosts in 2 s.
      expect(elapsed, 'an unchanged run').to.be.below(2000)

      const newSecret = docker({load: archivePath, container: container({env: {TOKEN: `${SECRET}-2`, MODE: 'test'}})})
      const byEnv = await provision(hosts, newSecret)
      expect(byEnv).to.include({result: 'changed', detail: 'recreated container app (its spec changed)'})
      const idAfterEnv = await containerId(machine)
      expect(idAfterEnv).not.to.equal(id)

      // A dry run sees the port change and leaves the container alone.
      const newPort = docker({load: archivePath, container: container({env: {TOKEN: `${SECRET}-2`, MODE: 'test'}, ports: ['8081:80']})})
      const dry = await provision(hosts, newPort, {dryRun: true})
      expect(dry).to.include({result: 'would-change', detail: 'would recreate container app (its spec changed)'})
      expect(hosts.root.runs).to.equal(0)
      expect(hosts.login.requests).to.equal(2)
      expect(await containerId(machine)).to.equal(idAfterEnv)

      const byPort = await provision(hosts, newPort)
      expect(byPort).to.include({result: 'changed', detail: 'recreated container app (its spec changed)'})
      expect(await root(machine, 'docker port app 80/tcp')).to.contain(':8081')

      await root(machine, 'docker stop app >/dev/null')
      const start = await provision(hosts, newPort)
      expect(start).to.include({result: 'changed', detail: 'started container app'})
      expect(await root(machine, "docker inspect --format '{{.State.Running}}' app")).to.equal('true')

      await root(machine, 'docker rm -f app >/dev/null')
      const recreated = await provision(hosts, newPort)
      expect(recreated).to.include({result: 'changed', detail: 'created container app'})
      expect(await provision(hosts, newPort)).to.include({result: 'ok'})
    })

    it('keeps a container an older tk made (its tk.spec label a plain sha256 of the spec), and rewrites the state\'s plain record keyed', async () => {
      const spec = docker({load: archivePath, container: container({ports: ['8082:80']}), run: 'once', drift: 'ignore'})
      const plain = sha256(dockerSpecText(spec, imageId))
      // Stand-in for the older tk: the same docker-run-container.sh call, with the plain hash as the label.
      await root(machine, 'docker rm -f app >/dev/null')
      const made = await hosts.root.run(await boundScript('docker-run-container.sh', ['app', ...dockerRunArguments(spec, plain)]), {stdin: envFileText(spec.container!.env)})
      expect(made.code, made.stderr).to.equal(0)
      const id = await containerId(machine)

      const state: HostState = {version: 1, provisioners: {app: {type: 'docker', specHash: plain, appliedAt: '2026-01-01T00:00:00Z', tkVersion: '0.1.0'}}}
      const once = await provision(hosts, spec, {state})
      expect(once).to.include({result: 'ok', rehash: true})
      expect(once.specHash).to.match(/^hmac-sha256:/)
      expect(hosts.root.runs, 'run: once with the spec recorded: the host is not asked').to.equal(0)
      const always = await provision(hosts, {...spec, run: 'always', drift: 'check'}, {state})
      expect(always).to.include({result: 'ok', rehash: true, detail: `image tk-test/busybox:1 loaded (${imageId.slice(7, 19)}); container app running`})
      expect(await containerId(machine)).to.equal(id)
      await root(machine, 'docker rm -f app >/dev/null')
    })

    it('puts the previous container back, running, when the recreated one cannot start (its new port is taken)', async () => {
      const spec = docker({load: archivePath, container: container()})
      await provision(hosts, spec)
      const before = await containerId(machine)
      await root(machine, `docker run -d --name port-holder -p 8090:80 tk-test/busybox:1 sh -c 'trap "exit 0" TERM; while :; do sleep 1; done' >/dev/null`)
      try {
        const clash = docker({load: archivePath, container: container({ports: ['8090:80']})})
        const error = await provision(hosts, clash).catch((error_: Error) => error_)
        // docker's own reason first (what the user can act on), then what became of the previous container.
        expect((error as Error).message).to.match(
          /^web1: docker provisioner app: docker run failed: docker: Error response from daemon: .*(port is already allocated|address already in use).* \(the new container did not start; the previous app is back, running\)$/,
        )
        expect(await containerId(machine), 'the same container').to.equal(before)
        expect(await root(machine, "docker inspect --format '{{.State.Running}}' app")).to.equal('true')
        expect(await root(machine, "docker ps -a --format '{{.Names}}' | grep -c tk-previous || true")).to.equal('0')
        // With the port free again the same spec goes through.
        await root(machine, 'docker rm -f port-holder >/dev/null')
        expect(await provision(hosts, clash)).to.include({result: 'changed', detail: 'recreated container app (its spec changed)'})
        expect(await containerId(machine)).not.to.equal(before)
      } finally {
        await root(machine, 'docker rm -f port-holder >/dev/null 2>&1 || true')
      }
    })

    it('never puts an env value on a command line, in a file left behind or in a log', async () => {
      // sudo logs every command line it runs to the journal; scripts and their arguments travel that way.
      // (The secret is written split in two here, or this very command line would be logged with it.)
      const pattern = `'${SECRET.slice(0, 6)}''${SECRET.slice(6)}'`
      expect(await root(machine, `journalctl --no-pager -o cat | grep -c -- ${pattern} || true`)).to.equal('0')
      // The env-file is gone once docker run has read it.
      expect(await root(machine, `grep -rl -- ${pattern} /tmp /var/tmp /root /var/lib/tk 2>/dev/null | wc -l`)).to.equal('0')
      // The container's label holds a keyed hash (the host's key), not the value nor a plain hash of it.
      expect(await root(machine, "docker inspect --format '{{json .Config.Labels}}' app")).to.match(/"tk\.spec":"hmac-sha256:[0-9a-f]{64}"/)
    })

    it('fails with one line naming the host, provisioner and docker command', async () => {
      const error = await provision(hosts, docker({load: archivePath, name: 'bad', container: container({name: 'bad', ports: ['not-a-port']})})).catch((error_: Error) => error_)
      expect((error as Error).message).to.match(/^web1: docker provisioner bad: docker run failed: .*not-a-port/)
      expect((error as Error).message).not.to.contain('\n')
    })
  })

  describe('pulling from a registry on another sandbox machine', () => {
    let registry: TestMachine
    let pusher: TestMachine
    let puller: TestMachine
    let reference: string

    /** Loads an image archive on the pusher and pushes it to the registry under `reference`; its image ID. */
    const push = async (labels: Record<string, string>) => {
      const archive = imageArchive({layer, tags: ['tk-test/pushed:latest'], cmd: ['true'], labels})
      const hosts = await connect(pusher)
      const loaded = await hosts.root.run('docker load --quiet', {stdin: archive.tar})
      expect(loaded.code, loaded.stderr).to.equal(0)
      await root(pusher, `docker tag tk-test/pushed:latest ${reference} && docker push ${reference} >/dev/null`)
      return archive.imageId
    }

    before(async function () {
      ;[registry, pusher, puller] = await Promise.all([fixture.machine({release: 'bookworm', keep: true}), engineMachine(true), engineMachine(true)])
      reference = `${registry.name}:5000/tk-test/busybox:1`
      await root(registry, 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null')
      // Debian's configuration asks for htpasswd logins; this registry is open, on plain HTTP.
      const config = ['version: 0.1', 'storage:', '  filesystem:', '    rootdirectory: /var/lib/docker-registry', 'http:', '  addr: :5000', ''].join('\\n')
      await root(registry, `printf '${config}' > /etc/docker/registry/config.yml && systemctl restart docker-registry`)
      await root(registry, "timeout 60 sh -c 'until ss -ltn | grep -q :5000; do sleep 1; done'")
      // Both engines trust the registry's plain HTTP, set with tk's own daemon options.
      const insecure = `insecure-registries=["${registry.name}:5000"]`
      await Promise.all(
        [pusher, puller].map(async (machine) => {
          const set = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--daemon-opt', insecure], {env: cleanEnv})
          expect(set.code, set.stderr + set.stdout).to.equal(0)
        }),
      )
    })

    it('pulls with run: always: ok while the registry image is unchanged; a new image under the tag is pulled and the container recreated', async () => {
      const first = await push({version: '1'})
      const hosts = await connect(puller)
      const spec = docker({image: reference, container: container({ports: []})})

      const created = await provision(hosts, spec)
      expect(created.result).to.equal('changed')
      expect(created.detail).to.equal(`pulled ${reference} (${first.slice(7, 19)}); created container app`)
      const id = await containerId(puller)

      const same = await provision(hosts, spec)
      expect(same).to.include({result: 'ok', detail: `image ${reference} present (${first.slice(7, 19)}); container app running`})
      expect(hosts.root.runs, 'one round trip: pull and inspection').to.equal(1)
      expect(await containerId(puller)).to.equal(id)

      const second = await push({version: '2'})
      expect(second).not.to.equal(first)
      const moved = await provision(hosts, spec)
      expect(moved).to.include({result: 'changed', detail: `pulled ${reference} (${first.slice(7, 19)} -> ${second.slice(7, 19)}); recreated container app (its image changed)`})
      expect(await containerId(puller)).not.to.equal(id)
      expect(await root(puller, "docker inspect --format '{{.Image}}' app")).to.equal(second)
    })

    it('pulls a missing image with run: once, and a dry run only says it would', async () => {
      const hosts = await connect(puller)
      const spec = docker({name: 'once', image: reference.replace(':1', ':once'), run: 'once'})
      await root(pusher, `docker tag ${reference} ${spec.image} && docker push ${spec.image} >/dev/null`)

      const dry = await provision(hosts, spec, {dryRun: true})
      expect(dry).to.include({result: 'would-change', detail: `would pull ${spec.image}`})
      expect(await root(puller, `docker image inspect ${spec.image} >/dev/null 2>&1 && echo present || echo missing`)).to.equal('missing')

      expect(await provision(hosts, spec)).to.include({result: 'changed', detail: `pulled ${spec.image}`})
      expect(await provision(hosts, spec)).to.include({result: 'ok'})
    })
  })

  describe('afterwards', () => {
    it('no detail or error message of any run above held a secret', () => {
      expect(said.length).to.be.above(5)
      expect(said.join('\n')).not.to.contain(SECRET)
    })
  })
})
